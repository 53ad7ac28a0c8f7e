{#- Clean Your Room (docs/metrics.md §3.21): how much of the open pipeline is
    not kept up to date, per report day, slice and reason. From
    fct_opportunity_hygiene: for the total and each owner, manager, region,
    segment and source, the open deals and their ACV, and for each reason
    (and 'any' reason) the deals flagged, their ACV and their share of the
    slice's open deals and ACV (ratio of sums, numerator and denominator
    stored). Deals and ACV add up across owners, regions, segments and
    sources for one reason; reasons do not add up ('any' counts a deal once).
    One row per report_date x dimension_type x dimension_value x reason. -#}
{%- set reasons = [
    'past_due', 'no_recent_activity', 'stuck', 'pushed_repeatedly',
    'missing_amount', 'missing_close_date', 'missing_next_step',
    'amount_changed_7d', 'close_date_changed_7d', 'stage_regressed_7d'] -%}
{%- set slices = {
    'owner': 'owner_id', 'manager': 'manager_id', 'region': 'region',
    'segment': 'segment', 'source': 'pipeline_source'} -%}
with hygiene as (
    select * from {{ ref('fct_opportunity_hygiene') }}
),

sliced as (
    select
        'total' as dimension_type,
        'total' as dimension_value,
        hygiene.*
    from hygiene
    {%- for dimension_type, column in slices.items() %}
        union all
        select
            '{{ dimension_type }}' as dimension_type,
            coalesce({{ column }}, 'unknown') as dimension_value,
            hygiene.*
        from hygiene
    {%- endfor %}
),

by_reason as (
    {%- for reason in reasons + ['any'] %}
        {%- set flag = 'is_risky' if reason == 'any' else reason %}
        select
            report_date,
            is_as_of_date,
            dimension_type,
            dimension_value,
            '{{ reason }}' as reason,
            count(*) as open_deals,
            sum(acv_corp) as open_acv_corp,
            count(case when {{ flag }} then 1 end) as deals,
            coalesce(sum(case when {{ flag }} then acv_corp end), 0) as acv_corp
        from sliced
        group by report_date, is_as_of_date, dimension_type, dimension_value
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

final as (
    select
        by_reason.report_date,
        by_reason.is_as_of_date,
        by_reason.dimension_type,
        by_reason.dimension_value,
        case
            when by_reason.dimension_type in ('owner', 'manager')
                then coalesce(named_users.user_name, by_reason.dimension_value)
            else by_reason.dimension_value
        end as dimension_label,
        by_reason.reason,
        cast(by_reason.deals as bigint) as deals,
        cast(by_reason.acv_corp as {{ type_double() }}) as acv_corp,
        cast(by_reason.open_deals as bigint) as open_deals,
        cast(by_reason.open_acv_corp as {{ type_double() }}) as open_acv_corp,
        cast(by_reason.deals as {{ type_double() }})
        / nullif(by_reason.open_deals, 0) as share_of_deals,
        cast(by_reason.acv_corp as {{ type_double() }})
        / nullif(by_reason.open_acv_corp, 0) as share_of_acv
    from by_reason
    left join {{ ref('dim_user') }} as named_users
        on
            by_reason.dimension_type in ('owner', 'manager')
            and by_reason.dimension_value = named_users.user_id
)

select * from final
