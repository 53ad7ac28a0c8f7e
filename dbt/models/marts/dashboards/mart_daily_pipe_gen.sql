{#- Daily Pipe Gen (docs/metrics.md §3.20): pipeline generated day by day in
    the current fiscal quarter (up to as_of_date) and the previous one, per
    slice (total, source, region, segment, product, owner), against the
    quarter's pipeline_generation target, so a shortfall shows on day 10, not
    day 85. A deal counts on the day it became pipeline (first entry into the
    qualified band), at its ACV as known at the end of as_of_date; product
    slices take the product's share of it. Days without generation are rows
    with 0. The target to date is linear by day (the quarter's target x the
    share of the quarter elapsed). Pacing = generated to date / target to date;
    RAG as in mart_apm (grey before rag_guard_days or without a target). The
    required run rate is what each remaining day must bring to reach the
    target. Owner slices have no target. Amounts are additive over days within
    a slice, and product slices add up to the total; ratios are not additive.
    One row per fiscal_period x date_day x dimension_type x dimension_value. -#}
{%- set green = var('rag_green_pacing') -%}
{%- set yellow = var('rag_yellow_pacing') -%}
with calendar as (
    select * from {{ ref('dim_date') }}
),

as_of_day as (
    select
        today.fiscal_quarter_start_date as current_start,
        eve.fiscal_quarter_start_date as previous_start
    from calendar as today
    inner join calendar as eve
        on
            eve.date_day
            = {{ dbt.dateadd('day', -1, 'today.fiscal_quarter_start_date') }}
    where today.date_day = {{ as_of_date() }}
),

days as (
    select
        calendar.date_day,
        calendar.fiscal_quarter_label as fiscal_period,
        calendar.fiscal_quarter_start_date as period_start_date,
        calendar.day_of_fiscal_quarter as day_of_quarter,
        calendar.days_remaining_in_fiscal_quarter as days_remaining,
        calendar.pct_fiscal_quarter_elapsed as pct_period_elapsed,
        calendar.fiscal_quarter_start_date = as_of_day.current_start
            as is_current_quarter
    from calendar
    inner join as_of_day
        on calendar.fiscal_quarter_start_date in (
            as_of_day.current_start, as_of_day.previous_start
        )
    where calendar.date_day <= {{ as_of_date() }}
),

opportunities as (
    select
        opportunity_id,
        owner_id,
        pipeline_created_date,
        coalesce(acv_corp, 0) as acv_corp
    from {{ ref('fct_opportunity') }}
    where not is_excluded and pipeline_created_date is not null
),

slices as (
    select
        opportunity_id,
        dimension_type,
        dimension_value,
        allocation_share
    from {{ ref('int_apm__opportunity_slices') }}
    union all
    select
        opportunity_id,
        'owner' as dimension_type,
        coalesce(owner_id, 'unknown') as dimension_value,
        1.0 as allocation_share
    from opportunities
),

generated as (
    select
        days.fiscal_period,
        days.date_day,
        slices.dimension_type,
        slices.dimension_value,
        sum(opportunities.acv_corp * slices.allocation_share)
            as pipeline_generated,
        count(*) as deals_generated
    from days
    inner join opportunities
        on days.date_day = opportunities.pipeline_created_date
    inner join slices on opportunities.opportunity_id = slices.opportunity_id
    group by
        days.fiscal_period,
        days.date_day,
        slices.dimension_type,
        slices.dimension_value
),

targets as (
    select
        fiscal_period,
        dimension_type,
        dimension_value,
        sum(target_amount) as target_period
    from {{ ref('stg_plan__targets') }}
    where metric = 'pipeline_generation'
    group by fiscal_period, dimension_type, dimension_value
),

-- Every slice with a target or with generation in the quarter, on every day.
quarter_slices as (
    select distinct
        fiscal_period,
        dimension_type,
        dimension_value
    from generated
    union
    select
        targets.fiscal_period,
        targets.dimension_type,
        targets.dimension_value
    from targets
    where targets.fiscal_period in (select days.fiscal_period from days)
    union
    select distinct
        fiscal_period,
        'total' as dimension_type,
        'total' as dimension_value
    from days
),

daily as (
    select
        days.*,
        quarter_slices.dimension_type,
        quarter_slices.dimension_value,
        coalesce(generated.pipeline_generated, 0) as pipeline_generated,
        coalesce(generated.deals_generated, 0) as deals_generated
    from days
    inner join
        quarter_slices
        on days.fiscal_period = quarter_slices.fiscal_period
    left join generated
        on
            days.date_day = generated.date_day
            and quarter_slices.dimension_type = generated.dimension_type
            and quarter_slices.dimension_value = generated.dimension_value
),

to_date as (
    select
        daily.*,
        sum(daily.pipeline_generated) over (
            partition by
                daily.fiscal_period, daily.dimension_type, daily.dimension_value
            order by daily.date_day
            rows between unbounded preceding and current row
        ) as pipeline_generated_qtd,
        sum(daily.deals_generated) over (
            partition by
                daily.fiscal_period, daily.dimension_type, daily.dimension_value
            order by daily.date_day
            rows between unbounded preceding and current row
        ) as deals_generated_qtd,
        targets.target_period
    from daily
    left join targets
        on
            daily.fiscal_period = targets.fiscal_period
            and daily.dimension_type = targets.dimension_type
            and daily.dimension_value = targets.dimension_value
),

paced as (
    select
        *,
        target_period * pct_period_elapsed as target_to_date,
        case
            when target_period > 0 and pct_period_elapsed > 0
                then
                    pipeline_generated_qtd
                    / (target_period * pct_period_elapsed)
        end as pacing
    from to_date
),

final as (
    select
        {{ as_of_date() }} as as_of_date,
        paced.fiscal_period,
        paced.period_start_date,
        paced.is_current_quarter,
        paced.date_day,
        paced.day_of_quarter,
        paced.dimension_type,
        paced.dimension_value,
        case
            when paced.dimension_type = 'owner'
                then coalesce(owners.user_name, paced.dimension_value)
            else paced.dimension_value
        end as dimension_label,
        cast(paced.pipeline_generated as {{ type_double() }})
            as pipeline_generated,
        cast(paced.deals_generated as bigint) as deals_generated,
        cast(paced.pipeline_generated_qtd as {{ type_double() }})
            as pipeline_generated_qtd,
        cast(paced.deals_generated_qtd as bigint) as deals_generated_qtd,
        cast(paced.target_period as {{ type_double() }}) as target_period,
        cast(paced.target_to_date as {{ type_double() }}) as target_to_date,
        paced.pct_period_elapsed,
        paced.pacing,
        case
            when paced.day_of_quarter < {{ var('rag_guard_days') }} then 'grey'
            when paced.pacing is null then 'grey'
            when paced.pacing >= {{ green }} then 'green'
            when paced.pacing >= {{ yellow }} then 'yellow'
            else 'red'
        end as rag_status,
        cast(paced.pipeline_generated_qtd as {{ type_double() }})
        / paced.day_of_quarter as run_rate_to_date,
        paced.days_remaining,
        case
            when paced.target_period is not null and paced.days_remaining > 0
                then
                    cast(
                        greatest(
                            paced.target_period - paced.pipeline_generated_qtd,
                            0
                        ) as {{ type_double() }}
                    )
                    / paced.days_remaining
        end as required_run_rate
    from paced
    left join {{ ref('dim_user') }} as owners
        on
            paced.dimension_type = 'owner'
            and paced.dimension_value = owners.user_id
)

select * from final
