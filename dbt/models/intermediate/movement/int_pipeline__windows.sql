{#- The windows the pipeline waterfall explains (docs/metrics.md §3.15), each
    with the target quarters it covers: `quarter_to_date` from the current
    quarter's eve (its state before day one) to as_of_date; `week` from the
    previous weekly review day to as_of_date; and `review_to_review` between
    each two consecutive APM report days of the current and previous quarter
    (their eves, review days and as_of_date), which chain into gross movement.
    A window covers the quarters the APM reports on both of its days, so its
    start and end can be checked against mart_apm. One row per window_type x
    window_start_date x window_end_date x period_start_date. -#}
with report_days as (
    select * from {{ ref('int_apm__report_days') }}
),

calendar as (
    select * from {{ ref('dim_date') }}
),

points as (
    select distinct as_of_date as point_date
    from report_days
),

as_of_quarter as (
    select period_start_date
    from report_days
    where as_of_date = {{ as_of_date() }} and period_offset = 0
),

chained as (
    select
        'review_to_review' as window_type,
        point_date as window_start_date,
        lead(point_date) over (order by point_date) as window_end_date
    from points
),

windows as (
    select
        'quarter_to_date' as window_type,
        cast({{ dbt.dateadd('day', -1, 'period_start_date') }} as date)
            as window_start_date,
        {{ as_of_date() }} as window_end_date
    from as_of_quarter

    union all

    select
        'week' as window_type,
        max(calendar.date_day) as window_start_date,
        {{ as_of_date() }} as window_end_date
    from calendar
    where
        calendar.is_weekly_review_day
        and calendar.date_day < {{ as_of_date() }}
        and calendar.date_day
        >= cast({{ dbt.dateadd('day', -7, as_of_date()) }} as date)

    union all

    select
        window_type,
        window_start_date,
        window_end_date
    from chained
    where window_end_date is not null
),

final as (
    select
        windows.window_type,
        windows.window_start_date,
        windows.window_end_date,
        at_end.fiscal_period,
        at_end.period_start_date,
        at_end.period_end_date
    from windows
    inner join report_days as at_start
        on windows.window_start_date = at_start.as_of_date
    inner join report_days as at_end
        on
            windows.window_end_date = at_end.as_of_date
            and at_start.period_start_date = at_end.period_start_date
    where windows.window_start_date is not null
)

select * from final
