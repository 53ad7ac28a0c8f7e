{#- Sales KPIs by fiscal quarter of close (metrics.md 3.10-3.13), as known at
    the end of as_of_date: win rate by count and by amount, average and median
    deal size, sales cycle length and sales velocity. Eligible: deals closed
    won or lost in the quarter by as_of_date (a close date after it is not a
    close yet), not excluded (duplicate or admin-removed stages, the
    opportunity_exclusions seed: merged deals). Lost deals count at their last
    open amount. Sales velocity = pipeline_created_count x win_rate_count x
    average_deal_size / cycle_days_mean (velocity basis: deals entering the
    pipeline in the quarter), in corporate currency per day. One row per
    fiscal_period x dimension_type x dimension_value; counts are distinct
    opportunities (product rows overlap), every ratio is non-additive. -#}
with opportunities as (
    select * from {{ ref('fct_opportunity') }}
    where not is_excluded
),

last_open as (
    select
        opportunity_id,
        acv_corp as last_open_acv_corp
    from (
        select
            opportunity_id,
            acv_corp,
            row_number() over (
                partition by opportunity_id order by version_no desc
            ) as open_rank
        from {{ ref('fct_opportunity_version') }}
        where is_open and valid_from_date <= {{ as_of_date() }}
    ) as ranked
    where open_rank = 1
),

slices as (
    select * from {{ ref('int_apm__opportunity_slices') }}
),

closed as (
    select
        opportunities.opportunity_id,
        opportunities.close_fiscal_quarter as fiscal_period,
        opportunities.is_won,
        case
            when opportunities.is_won then opportunities.acv_corp
            else coalesce(last_open.last_open_acv_corp, opportunities.acv_corp)
        end as acv_corp,
        {{ dbt.datediff(
            'opportunities.created_date', 'opportunities.close_date', 'day'
        ) }} as cycle_days
    from opportunities
    left join last_open
        on opportunities.opportunity_id = last_open.opportunity_id
    where
        (opportunities.is_won or opportunities.is_lost)
        and opportunities.close_date <= {{ as_of_date() }}
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
        avg(
            case
                when is_won and cycle_days >= 0
                    then cast(cycle_days as {{ type_double() }})
            end
        ) as cycle_days_mean,
        percentile_cont(0.5) within group (
            order by case when is_won and cycle_days >= 0 then cycle_days end
        ) as cycle_days_median
    from closed_slices
    group by fiscal_period, dimension_type, dimension_value
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
        closed_kpis.cycle_days_mean,
        closed_kpis.cycle_days_median,
        coalesce(created.pipeline_created_count, 0) as pipeline_created_count,
        coalesce(created.pipeline_created_count, 0)
        * (
            cast(closed_kpis.won_count as {{ type_double() }})
            / nullif(closed_kpis.closed_count, 0)
        )
        * (
            closed_kpis.won_positive_acv
            / nullif(closed_kpis.won_positive_count, 0)
        )
        / nullif(closed_kpis.cycle_days_mean, 0) as sales_velocity_per_day
    from closed_kpis
    left join created
        on
            closed_kpis.fiscal_period = created.fiscal_period
            and closed_kpis.dimension_type = created.dimension_type
            and closed_kpis.dimension_value = created.dimension_value
)

select * from final
