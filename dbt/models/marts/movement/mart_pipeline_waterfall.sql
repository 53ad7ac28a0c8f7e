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
        window_type,
        window_start_date,
        window_end_date,
        fiscal_period,
        period_start_date,
        opportunity_id,
        in_start,
        in_end,
        start_acv_corp,
        end_acv_corp,
        coalesce(start_owner_id, end_owner_id, 'unknown') as start_owner,
        coalesce(end_owner_id, start_owner_id, 'unknown') as end_owner
    from deals
),

transfers as (
    select
        window_type,
        window_start_date,
        window_end_date,
        fiscal_period,
        period_start_date,
        opportunity_id,
        start_owner as owner_id,
        'transferred_out' as bucket,
        -start_acv_corp as amount_corp
    from deal_owners
    where start_owner <> end_owner and start_acv_corp <> 0
    union all
    select
        window_type,
        window_start_date,
        window_end_date,
        fiscal_period,
        period_start_date,
        opportunity_id,
        end_owner as owner_id,
        'transferred_in' as bucket,
        start_acv_corp as amount_corp
    from deal_owners
    where start_owner <> end_owner and start_acv_corp <> 0
),

owner_moves as (
    select
        movement.window_type,
        movement.window_start_date,
        movement.window_end_date,
        movement.fiscal_period,
        movement.period_start_date,
        movement.opportunity_id,
        deal_owners.end_owner as owner_id,
        movement.bucket,
        movement.amount_corp
    from movement
    inner join deal_owners
        on
            movement.window_type = deal_owners.window_type
            and movement.window_start_date = deal_owners.window_start_date
            and movement.window_end_date = deal_owners.window_end_date
            and movement.period_start_date = deal_owners.period_start_date
            and movement.opportunity_id = deal_owners.opportunity_id
    union all
    select * from transfers
),

owner_flows as (
    select
        window_type,
        window_start_date,
        window_end_date,
        fiscal_period,
        period_start_date,
        'owner' as dimension_type,
        owner_id as dimension_value,
        bucket,
        sum(amount_corp) as amount_corp,
        count(distinct opportunity_id) as deal_count
    from owner_moves
    group by
        window_type,
        window_start_date,
        window_end_date,
        fiscal_period,
        period_start_date,
        owner_id,
        bucket
),

-- Each deal at its start owner with its start ACV and at its end owner with
-- its end ACV, so an owner who gave every deal away still has an end of 0.
owner_points as (
    select
        window_type,
        window_start_date,
        window_end_date,
        fiscal_period,
        period_start_date,
        opportunity_id,
        start_owner as owner_id,
        in_start,
        false as in_end,
        start_acv_corp,
        cast(0 as {{ type_double() }}) as end_acv_corp
    from deal_owners
    union all
    select
        window_type,
        window_start_date,
        window_end_date,
        fiscal_period,
        period_start_date,
        opportunity_id,
        end_owner as owner_id,
        false as in_start,
        in_end,
        cast(0 as {{ type_double() }}) as start_acv_corp,
        end_acv_corp
    from deal_owners
),

owner_ends as (
    select
        window_type,
        window_start_date,
        window_end_date,
        fiscal_period,
        period_start_date,
        'owner' as dimension_type,
        owner_id as dimension_value,
        sum(start_acv_corp) as start_amount,
        sum(end_acv_corp) as end_amount,
        count(distinct case when in_start then opportunity_id end)
            as start_deals,
        count(distinct case when in_end then opportunity_id end)
            as end_deals
    from owner_points
    group by
        window_type,
        window_start_date,
        window_end_date,
        fiscal_period,
        period_start_date,
        owner_id
),

flows as (
    select
        movement.window_type,
        movement.window_start_date,
        movement.window_end_date,
        movement.fiscal_period,
        movement.period_start_date,
        slices.dimension_type,
        slices.dimension_value,
        movement.bucket,
        sum(movement.amount_corp * slices.allocation_share) as amount_corp,
        count(distinct movement.opportunity_id) as deal_count
    from movement
    inner join slices
        on movement.opportunity_id = slices.opportunity_id
    group by
        movement.window_type,
        movement.window_start_date,
        movement.window_end_date,
        movement.fiscal_period,
        movement.period_start_date,
        slices.dimension_type,
        slices.dimension_value,
        movement.bucket
),

ends as (
    select
        deals.window_type,
        deals.window_start_date,
        deals.window_end_date,
        deals.fiscal_period,
        deals.period_start_date,
        slices.dimension_type,
        slices.dimension_value,
        sum(deals.start_acv_corp * slices.allocation_share) as start_amount,
        sum(deals.end_acv_corp * slices.allocation_share) as end_amount,
        count(distinct case when deals.in_start then deals.opportunity_id end)
            as start_deals,
        count(distinct case when deals.in_end then deals.opportunity_id end)
            as end_deals
    from deals
    inner join slices
        on deals.opportunity_id = slices.opportunity_id
    group by
        deals.window_type,
        deals.window_start_date,
        deals.window_end_date,
        deals.fiscal_period,
        deals.period_start_date,
        slices.dimension_type,
        slices.dimension_value
),

stacked as (
    select
        window_type,
        window_start_date,
        window_end_date,
        fiscal_period,
        period_start_date,
        dimension_type,
        dimension_value,
        bucket,
        amount_corp,
        deal_count
    from flows

    union all

    select * from owner_flows

    union all

    select
        window_type,
        window_start_date,
        window_end_date,
        fiscal_period,
        period_start_date,
        dimension_type,
        dimension_value,
        'start' as bucket,
        start_amount as amount_corp,
        start_deals as deal_count
    from ends

    union all

    select
        window_type,
        window_start_date,
        window_end_date,
        fiscal_period,
        period_start_date,
        dimension_type,
        dimension_value,
        'start' as bucket,
        start_amount as amount_corp,
        start_deals as deal_count
    from owner_ends

    union all

    select
        window_type,
        window_start_date,
        window_end_date,
        fiscal_period,
        period_start_date,
        dimension_type,
        dimension_value,
        'end' as bucket,
        end_amount as amount_corp,
        end_deals as deal_count
    from ends

    union all

    select
        window_type,
        window_start_date,
        window_end_date,
        fiscal_period,
        period_start_date,
        dimension_type,
        dimension_value,
        'end' as bucket,
        end_amount as amount_corp,
        end_deals as deal_count
    from owner_ends
),

final as (
    select
        window_type,
        window_start_date,
        window_end_date,
        fiscal_period,
        period_start_date,
        dimension_type,
        dimension_value,
        bucket,
        case bucket
            when 'start' then 0
            when 'created' then 1
            when 'pulled_in' then 2
            when 'requalified' then 3
            when 'increased' then 4
            when 'fx_revaluation' then 5
            when 'decreased' then 6
            when 'won' then 7
            when 'lost' then 8
            when 'pushed_out' then 9
            when 'slipped' then 10
            when 'pulled_out' then 11
            when 'removed' then 12
            when 'transferred_in' then 13
            when 'transferred_out' then 14
            when 'end' then 15
        end as bucket_order,
        cast(amount_corp as {{ type_double() }}) as amount_corp,
        deal_count
    from stacked
)

select * from final
