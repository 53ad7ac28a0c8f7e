{#- The daily funnel report (docs/metrics.md §3.14): stage entries per day over
    the funnel_baseline_days days ending on as_of_date, every person and cycle
    (inferred entries included, as in inclusive mode), with the rolling
    funnel_flow_days sum and the baseline's equivalent: the window's entries
    scaled to funnel_flow_days. -#}
{%- set baseline_days = var('funnel_baseline_days') | int -%}
{%- set flow_days = var('funnel_flow_days') | int -%}
{%- set window_start = dbt.dateadd('day', 1 - baseline_days, as_of_date()) -%}
{#- the first rolling sum of the window needs flow_days - 1 earlier days -#}
{%- set grid_start = dbt.dateadd(
    'day', 2 - baseline_days - flow_days, as_of_date()) -%}

with entries as (
    select * from {{ ref('int_funnel__sliced_stage_entries') }}
),

days as (
    select date_day as activity_date
    from {{ ref('int_days_spined') }}
    where date_day between {{ grid_start }} and {{ as_of_date() }}
),

daily_entries as (
    select
        entered_date as activity_date,
        stage,
        dimension_type,
        dimension_value,
        count(*) as entries
    from entries
    where entered_date between {{ grid_start }} and {{ as_of_date() }}
    group by entered_date, stage, dimension_type, dimension_value
),

series as (
    select distinct
        stage,
        dimension_type,
        dimension_value
    from daily_entries
),

grid as (
    select
        days.activity_date,
        series.stage,
        series.dimension_type,
        series.dimension_value,
        coalesce(daily_entries.entries, 0) as entries
    from days
    cross join series
    left join daily_entries
        on
            days.activity_date = daily_entries.activity_date
            and series.stage = daily_entries.stage
            and series.dimension_type = daily_entries.dimension_type
            and series.dimension_value = daily_entries.dimension_value
),

rolled as (
    select
        *,
        cast(sum(entries) over (
            partition by stage, dimension_type, dimension_value
            order by activity_date
            rows between {{ flow_days - 1 }} preceding and current row
        ) as bigint) as entries_rolling_30d,
        cast(
            sum(case when activity_date >= {{ window_start }} then entries end)
                over (partition by stage, dimension_type, dimension_value)
            as {{ type_double() }}
        )
        * {{ flow_days }} / {{ baseline_days }} as baseline_entries_per_30d
    from grid
),

final as (
    select
        {{ as_of_date() }} as as_of_date,
        activity_date,
        stage,
        dimension_type,
        dimension_value,
        entries,
        entries_rolling_30d,
        baseline_entries_per_30d,
        entries_rolling_30d / nullif(baseline_entries_per_30d, 0) - 1
            as vs_baseline_pct
    from rolled
    where activity_date >= {{ window_start }}
)

select * from final
