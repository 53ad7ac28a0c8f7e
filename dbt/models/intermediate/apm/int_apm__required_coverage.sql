{#- Coverage a period needs (docs/metrics.md §3.8): 1 / the win rate by
    amount over the four fiscal quarters before the period, per slice, from
    mart_apm_kpi (won and lost ACV summed first: ratio of sums). One row per
    report period start and slice. -#}
with periods as (
    select distinct period_start_date
    from {{ ref('int_apm__report_days') }}
),

quarters as (
    select distinct
        fiscal_quarter_label as fiscal_period,
        fiscal_quarter_start_date
    from {{ ref('dim_date') }}
),

kpis as (
    select
        kpi.dimension_type,
        kpi.dimension_value,
        kpi.won_acv,
        kpi.lost_acv,
        quarters.fiscal_quarter_start_date
    from {{ ref('mart_apm_kpi') }} as kpi
    inner join quarters
        on kpi.fiscal_period = quarters.fiscal_period
),

trailing_quarters as (
    select
        periods.period_start_date,
        kpis.dimension_type,
        kpis.dimension_value,
        sum(kpis.won_acv) as won_acv,
        sum(kpis.won_acv + kpis.lost_acv) as closed_acv
    from periods
    inner join kpis
        on
            periods.period_start_date > kpis.fiscal_quarter_start_date
            and kpis.fiscal_quarter_start_date
            >= cast(
                {{ dbt.dateadd('month', -12, 'periods.period_start_date') }}
                as date
            )
    group by
        periods.period_start_date, kpis.dimension_type, kpis.dimension_value
),

final as (
    select
        period_start_date,
        dimension_type,
        dimension_value,
        won_acv / nullif(closed_acv, 0) as win_rate_amount,
        closed_acv / nullif(won_acv, 0) as required_coverage
    from trailing_quarters
)

select * from final
