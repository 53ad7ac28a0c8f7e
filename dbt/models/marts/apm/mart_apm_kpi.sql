{#- Sales KPIs by fiscal quarter of close (docs/metrics.md §3.10-§3.13), as
    known at the end of as_of_date: win rate by count and by amount, average and
    median deal size, sales cycle length and sales velocity. Eligible: deals
    closed won or lost in the quarter by as_of_date (a close date after it is
    not a close yet), not excluded (duplicate or admin-removed stages, the
    opportunity_exclusions seed: merged deals). Lost deals count at their last
    open amount. Sales velocity = pipeline_created_count x the trailing win rate
    x the trailing average deal size / the trailing mean cycle, in corporate
    currency per day: the three levers are taken over the last
    velocity_trailing_quarters closed fiscal quarters (the row's quarter and the
    ones before it; for the quarter in progress, the ones before it), so a
    quarter with two wins so far does not publish a velocity built on two deals.
    The quarter's own values stay in their own columns. One row per
    fiscal_period x dimension_type x dimension_value; counts are distinct
    opportunities (product rows overlap), every ratio is non-additive. -#}
{%- set trailing = var('velocity_trailing_quarters') | int -%}
with opportunities as (
    select * from {{ ref('fct_opportunity') }}
    where not is_excluded
),

slices as (
    select * from {{ ref('int_apm__opportunity_slices') }}
),

-- Deals closed by as_of_date, a lost one at its last open ACV.
closed as (
    select * from {{ ref('int_apm__closed_deals') }}
),

closed_slices as (
    select
        closed.*,
        slices.dimension_type,
        slices.dimension_value,
        closed.acv_corp * slices.allocation_share as acv_corp_share
    from closed
    inner join slices
        on closed.opportunity_id = slices.opportunity_id
),

closed_kpis as (
    select
        fiscal_period,
        dimension_type,
        dimension_value,
        count(distinct case when is_won then opportunity_id end) as won_count,
        count(distinct opportunity_id) as closed_count,
        coalesce(sum(case when is_won then acv_corp_share end), 0) as won_acv,
        coalesce(sum(case when not is_won then acv_corp_share end), 0)
            as lost_acv,
        count(
            distinct case when is_won and acv_corp > 0 then opportunity_id end
        )
            as won_positive_count,
        sum(case when is_won and acv_corp > 0 then acv_corp_share end)
            as won_positive_acv,
        percentile_cont(0.5) within group (
            order by case when is_won and acv_corp > 0 then acv_corp_share end
        ) as deal_size_median,
        count(
            distinct case
                when is_won and cycle_days >= 0 then opportunity_id
            end
        ) as cycle_won_count,
        sum(
            case
                when is_won and cycle_days >= 0
                    then cast(cycle_days as {{ type_double() }})
            end
        ) as cycle_days_sum,
        percentile_cont(0.5) within group (
            order by case when is_won and cycle_days >= 0 then cycle_days end
        ) as cycle_days_median
    from closed_slices
    group by fiscal_period, dimension_type, dimension_value
),

quarters as (
    select
        fiscal_quarter_label as fiscal_period,
        min(fiscal_quarter_start_date) as quarter_start_date,
        min(fiscal_quarter_end_date) as quarter_end_date
    from {{ ref('dim_date') }}
    group by fiscal_quarter_label
),

-- Quarters numbered in order; the trailing window ends at the row's quarter
-- when it has ended by as_of_date, else at the quarter before it.
quarter_numbers as (
    select
        fiscal_period,
        quarter_no,
        case
            when quarter_end_date <= {{ as_of_date() }} then quarter_no
            else quarter_no - 1
        end as window_end_no
    from (
        select
            fiscal_period,
            quarter_end_date,
            row_number() over (order by quarter_start_date) as quarter_no
        from quarters
    ) as numbered
),

kpis_numbered as (
    select
        closed_kpis.*,
        quarter_numbers.quarter_no,
        quarter_numbers.window_end_no
    from closed_kpis
    inner join quarter_numbers
        on closed_kpis.fiscal_period = quarter_numbers.fiscal_period
),

-- Sums over the window's quarters: a deal closes in one quarter, so the sums
-- of the quarters' distinct counts are distinct deals over the window.
trailing_sums as (
    select
        row_quarters.fiscal_period,
        row_quarters.dimension_type,
        row_quarters.dimension_value,
        cast(coalesce(sum(window_quarters.won_count), 0) as bigint)
            as won_count,
        cast(coalesce(sum(window_quarters.closed_count), 0) as bigint)
            as closed_count,
        cast(coalesce(sum(window_quarters.won_positive_count), 0) as bigint)
            as won_positive_count,
        sum(window_quarters.won_positive_acv) as won_positive_acv,
        cast(coalesce(sum(window_quarters.cycle_won_count), 0) as bigint)
            as cycle_won_count,
        sum(window_quarters.cycle_days_sum) as cycle_days_sum
    from kpis_numbered as row_quarters
    left join kpis_numbered as window_quarters
        on
            row_quarters.dimension_type = window_quarters.dimension_type
            and row_quarters.dimension_value = window_quarters.dimension_value
            and window_quarters.quarter_no
            between row_quarters.window_end_no - {{ trailing - 1 }}
            and row_quarters.window_end_no
    group by
        row_quarters.fiscal_period,
        row_quarters.dimension_type,
        row_quarters.dimension_value
),

window_bounds as (
    select
        kpis_numbered.fiscal_period,
        kpis_numbered.dimension_type,
        kpis_numbered.dimension_value,
        first_quarter.fiscal_period as trailing_first_period,
        last_quarter.fiscal_period as trailing_last_period
    from kpis_numbered
    left join quarter_numbers as first_quarter
        on
            first_quarter.quarter_no
            = kpis_numbered.window_end_no - {{ trailing - 1 }}
    left join quarter_numbers as last_quarter
        on kpis_numbered.window_end_no = last_quarter.quarter_no
),

created_slices as (
    select
        calendar.fiscal_quarter_label as fiscal_period,
        slices.dimension_type,
        slices.dimension_value,
        opportunities.opportunity_id
    from opportunities
    inner join {{ ref('dim_date') }} as calendar
        on opportunities.pipeline_created_date = calendar.date_day
    inner join slices
        on opportunities.opportunity_id = slices.opportunity_id
),

created as (
    select
        fiscal_period,
        dimension_type,
        dimension_value,
        count(distinct opportunity_id) as pipeline_created_count
    from created_slices
    group by fiscal_period, dimension_type, dimension_value
),

levers as (
    select
        trailing_sums.fiscal_period,
        trailing_sums.dimension_type,
        trailing_sums.dimension_value,
        trailing_sums.won_count,
        trailing_sums.closed_count,
        cast(trailing_sums.won_count as {{ type_double() }})
        / nullif(trailing_sums.closed_count, 0) as win_rate_count,
        trailing_sums.won_positive_count,
        trailing_sums.won_positive_acv,
        trailing_sums.won_positive_acv
        / nullif(trailing_sums.won_positive_count, 0) as average_deal_size,
        trailing_sums.cycle_won_count,
        trailing_sums.cycle_days_sum,
        trailing_sums.cycle_days_sum
        / nullif(trailing_sums.cycle_won_count, 0) as cycle_days_mean
    from trailing_sums
),

final as (
    select
        {{ as_of_date() }} as as_of_date,
        closed_kpis.fiscal_period,
        closed_kpis.dimension_type,
        closed_kpis.dimension_value,
        closed_kpis.won_count,
        closed_kpis.closed_count,
        cast(closed_kpis.won_count as {{ type_double() }})
        / nullif(closed_kpis.closed_count, 0) as win_rate_count,
        closed_kpis.won_acv,
        closed_kpis.lost_acv,
        closed_kpis.won_acv
        / nullif(closed_kpis.won_acv + closed_kpis.lost_acv, 0)
            as win_rate_amount,
        closed_kpis.won_positive_count,
        closed_kpis.won_positive_acv,
        closed_kpis.won_positive_acv
        / nullif(closed_kpis.won_positive_count, 0) as average_deal_size,
        closed_kpis.deal_size_median,
        closed_kpis.cycle_won_count,
        closed_kpis.cycle_days_sum,
        closed_kpis.cycle_days_sum
        / nullif(closed_kpis.cycle_won_count, 0) as cycle_days_mean,
        closed_kpis.cycle_days_median,
        coalesce(created.pipeline_created_count, 0) as pipeline_created_count,
        window_bounds.trailing_first_period,
        window_bounds.trailing_last_period,
        levers.won_count as trailing_won_count,
        levers.closed_count as trailing_closed_count,
        levers.win_rate_count as trailing_win_rate_count,
        levers.won_positive_count as trailing_won_positive_count,
        levers.won_positive_acv as trailing_won_positive_acv,
        levers.average_deal_size as trailing_average_deal_size,
        levers.cycle_won_count as trailing_cycle_won_count,
        levers.cycle_days_sum as trailing_cycle_days_sum,
        levers.cycle_days_mean as trailing_cycle_days_mean,
        coalesce(created.pipeline_created_count, 0)
        * levers.win_rate_count
        * levers.average_deal_size
        / nullif(levers.cycle_days_mean, 0) as sales_velocity_per_day
    from closed_kpis
    left join created
        on
            closed_kpis.fiscal_period = created.fiscal_period
            and closed_kpis.dimension_type = created.dimension_type
            and closed_kpis.dimension_value = created.dimension_value
    inner join levers
        on
            closed_kpis.fiscal_period = levers.fiscal_period
            and closed_kpis.dimension_type = levers.dimension_type
            and closed_kpis.dimension_value = levers.dimension_value
    inner join window_bounds
        on
            closed_kpis.fiscal_period = window_bounds.fiscal_period
            and closed_kpis.dimension_type = window_bounds.dimension_type
            and closed_kpis.dimension_value = window_bounds.dimension_value
)

select * from final
