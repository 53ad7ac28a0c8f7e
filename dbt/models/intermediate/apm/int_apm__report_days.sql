{#- The days and periods the APM reports: the run's as_of_date and every
    weekly review day of the current and previous fiscal quarter, each with the
    quarter it falls in (period_offset 0) and the next one (1); and the eve of
    the current and previous quarter (its last day before the quarter starts:
    the quarter's starting state, where the pipeline waterfall begins) with the
    quarter it opens (1) and the one after (2). Each with the day and quarter a
    year earlier that YoY compares with (docs/metrics.md §2.2: same day of the
    same fiscal quarter, capped at its length). -#}
with calendar as (
    select * from {{ ref('dim_date') }}
),

as_of_day as (
    select
        date_day,
        cast(
            {{ dbt.dateadd('month', -3, 'fiscal_quarter_start_date') }} as date
        ) as previous_quarter_start_date
    from calendar
    where date_day = {{ as_of_date() }}
),

day_offsets as (
    select 0 as period_offset
    union all
    select 1 as period_offset
),

eve_offsets as (
    select 1 as period_offset
    union all
    select 2 as period_offset
),

report_dates as (
    select
        calendar.date_day as as_of_date,
        day_offsets.period_offset
    from calendar
    cross join as_of_day
    cross join day_offsets
    where
        calendar.date_day = as_of_day.date_day
        or (
            calendar.is_weekly_review_day
            and calendar.date_day < as_of_day.date_day
            and calendar.fiscal_quarter_start_date
            >= as_of_day.previous_quarter_start_date
        )

    union

    -- The quarter eves: the quarter's state before its first day.
    select
        cast({{ dbt.dateadd('day', -1, 'calendar.date_day') }} as date)
            as as_of_date,
        eve_offsets.period_offset
    from calendar
    cross join as_of_day
    cross join eve_offsets
    where
        calendar.date_day = calendar.fiscal_quarter_start_date
        and calendar.date_day >= as_of_day.previous_quarter_start_date
        and calendar.date_day <= as_of_day.date_day
),

grid as (
    select
        report_dates.as_of_date,
        report_dates.period_offset,
        day_facts.same_day_last_fiscal_year as ly_as_of_date,
        day_facts.day_of_fiscal_quarter,
        cast(
            {{ dbt.dateadd(
                'month', '3 * report_dates.period_offset', 'day_facts.fiscal_quarter_start_date'
            ) }} as date
        ) as period_start_date,
        cast(
            {{ dbt.dateadd(
                'month',
                '3 * report_dates.period_offset - 12',
                'day_facts.fiscal_quarter_start_date'
            ) }} as date
        ) as ly_period_start_date
    from report_dates
    inner join calendar as day_facts
        on report_dates.as_of_date = day_facts.date_day
),

final as (
    select
        grid.as_of_date,
        grid.period_offset,
        periods.fiscal_quarter_label as fiscal_period,
        grid.period_start_date,
        periods.fiscal_quarter_end_date as period_end_date,
        periods.days_in_fiscal_quarter as days_in_period,
        case
            when grid.period_offset = 0 then grid.day_of_fiscal_quarter else 0
        end
            as day_of_period,
        case
            when grid.period_offset = 0
                then
                    cast(grid.day_of_fiscal_quarter as {{ type_double() }})
                    / periods.days_in_fiscal_quarter
            else cast(0 as {{ type_double() }})
        end as pct_period_elapsed,
        grid.ly_as_of_date,
        ly_periods.fiscal_quarter_label as ly_fiscal_period,
        ly_periods.fiscal_quarter_start_date as ly_period_start_date,
        ly_periods.fiscal_quarter_end_date as ly_period_end_date
    from grid
    inner join calendar as periods
        on grid.period_start_date = periods.date_day
    inner join calendar as ly_periods
        on grid.ly_period_start_date = ly_periods.date_day
)

select * from final
