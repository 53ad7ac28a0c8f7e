{#- The pipeline waterfall (docs/metrics.md §3.15): for each window and
    target quarter, per slice, the quarter's open pipeline at the start, each
    bucket of movement and the open pipeline at the end, so that start + the
    buckets = end. One row per window_type x window_start_date x
    window_end_date x fiscal_period x dimension_type x dimension_value x
    bucket. Slices as in mart_apm (products by allocation share, so they add
    up to the total); start and end equal mart_apm's open_pipeline for the
    same day, quarter and slice (test assert_pipeline_waterfall_balances).
    Owner slices too: a deal counts at the start for its owner then and at
    the end for its owner then; its movement goes to the owner at the end,
    and a deal that changed hands leaves its start ACV as transferred_out of
    the first owner and brings it as transferred_in to the second, so each
    owner balances and owners add up to the total. -#}
{%- set window_key = [
    'window_type', 'window_start_date', 'window_end_date', 'fiscal_period',
    'period_start_date'] -%}
{%- set buckets = [
    'start', 'created', 'pulled_in', 'requalified', 'increased',
    'fx_revaluation', 'decreased', 'won', 'lost', 'pushed_out', 'slipped',
    'pulled_out', 'removed', 'transferred_in', 'transferred_out', 'end'] -%}
with deals as (
    select * from {{ ref('int_pipeline__deal_windows') }}
),

movement as (
    select * from {{ ref('fct_pipeline_movement') }}
),

slices as (
    select * from {{ ref('int_apm__opportunity_slices') }}
),

-- The owner at each end of the window ('unknown' when not set).
deal_owners as (
    select
        {%- for column in window_key %}
            {{ column }},
        {%- endfor %}
        opportunity_id,
        in_start,
        in_end,
        start_acv_corp,
        end_acv_corp,
        coalesce(start_owner_id, end_owner_id, 'unknown') as start_owner,
        coalesce(end_owner_id, start_owner_id, 'unknown') as end_owner
    from deals
),

-- Every movement once per slice it counts in: the product, region, segment
-- and source slices by allocation share; the owner slice at the owner at the
-- end, plus a transfer out of and into the owners of a deal that changed
-- hands.
sliced_movement as (
    select
        {%- for column in window_key %}
            movement.{{ column }},
        {%- endfor %}
        movement.opportunity_id,
        slices.dimension_type,
        slices.dimension_value,
        movement.bucket,
        movement.amount_corp * slices.allocation_share as amount_corp
    from movement
    inner join slices
        on movement.opportunity_id = slices.opportunity_id
    union all
    select
        {%- for column in window_key %}
            movement.{{ column }},
        {%- endfor %}
        movement.opportunity_id,
        'owner' as dimension_type,
        deal_owners.end_owner as dimension_value,
        movement.bucket,
        movement.amount_corp
    from movement
    inner join deal_owners
        on
            movement.opportunity_id = deal_owners.opportunity_id
            {%- for column in window_key if column != 'fiscal_period' %}
                and movement.{{ column }} = deal_owners.{{ column }}
            {%- endfor %}
    {%- for owner, bucket, sign in [
        ('start_owner', 'transferred_out', '-'),
        ('end_owner', 'transferred_in', '')] %}
        union all
        select
            {%- for column in window_key %}
                {{ column }},
            {%- endfor %}
            opportunity_id,
            'owner' as dimension_type,
            {{ owner }} as dimension_value,
            '{{ bucket }}' as bucket,
            {{ sign }}start_acv_corp as amount_corp
        from deal_owners
        where start_owner <> end_owner and start_acv_corp <> 0
    {%- endfor %}
),

-- Every deal at each end of the window once per slice: by allocation share,
-- and at its start owner with its start ACV and at its end owner with its
-- end ACV, so an owner who gave every deal away still has an end of 0.
sliced_deals as (
    select
        {%- for column in window_key %}
            deals.{{ column }},
        {%- endfor %}
        deals.opportunity_id,
        slices.dimension_type,
        slices.dimension_value,
        deals.in_start,
        deals.in_end,
        deals.start_acv_corp * slices.allocation_share as start_acv_corp,
        deals.end_acv_corp * slices.allocation_share as end_acv_corp
    from deals
    inner join slices
        on deals.opportunity_id = slices.opportunity_id
    union all
    select
        {%- for column in window_key %}
            {{ column }},
        {%- endfor %}
        opportunity_id,
        'owner' as dimension_type,
        start_owner as dimension_value,
        in_start,
        false as in_end,
        start_acv_corp,
        cast(0 as {{ type_double() }}) as end_acv_corp
    from deal_owners
    union all
    select
        {%- for column in window_key %}
            {{ column }},
        {%- endfor %}
        opportunity_id,
        'owner' as dimension_type,
        end_owner as dimension_value,
        false as in_start,
        in_end,
        cast(0 as {{ type_double() }}) as start_acv_corp,
        end_acv_corp
    from deal_owners
),

flows as (
    select
        {%- for column in window_key %}
            {{ column }},
        {%- endfor %}
        dimension_type,
        dimension_value,
        bucket,
        sum(amount_corp) as amount_corp,
        count(distinct opportunity_id) as deal_count
    from sliced_movement
    group by
        {%- for column in window_key %}
            {{ column }},
        {%- endfor %}
        dimension_type,
        dimension_value,
        bucket
),

ends as (
    select
        {%- for column in window_key %}
            {{ column }},
        {%- endfor %}
        dimension_type,
        dimension_value,
        sum(start_acv_corp) as start_amount,
        sum(end_acv_corp) as end_amount,
        count(distinct case when in_start then opportunity_id end)
            as start_deals,
        count(distinct case when in_end then opportunity_id end)
            as end_deals
    from sliced_deals
    group by
        {%- for column in window_key %}
            {{ column }},
        {%- endfor %}
        dimension_type,
        dimension_value
),

stacked as (
    select * from flows
    {%- for side in ['start', 'end'] %}
        union all
        select
            {%- for column in window_key %}
                {{ column }},
            {%- endfor %}
            dimension_type,
            dimension_value,
            '{{ side }}' as bucket,
            {{ side }}_amount as amount_corp,
            {{ side }}_deals as deal_count
        from ends
    {%- endfor %}
),

final as (
    select
        {%- for column in window_key %}
            {{ column }},
        {%- endfor %}
        dimension_type,
        dimension_value,
        bucket,
        case bucket
            {%- for bucket in buckets %}
                when '{{ bucket }}' then {{ loop.index0 }}
            {%- endfor %}
        end as bucket_order,
        cast(amount_corp as {{ type_double() }}) as amount_corp,
        deal_count
    from stacked
)

select * from final
