-- A returned row is a fiscal quarter inside the calendar whose days in dim_date
-- do not match its own length, or do not run from its start to its end date.
with days as (
    select * from {{ ref('dim_date') }}
),

quarters as (
    select
        fiscal_quarter_label,
        min(fiscal_quarter_start_date) as quarter_start_date,
        max(fiscal_quarter_end_date) as quarter_end_date,
        min(days_in_fiscal_quarter) as days_in_quarter,
        count(*) as n_days,
        min(date_day) as first_day,
        max(date_day) as last_day
    from days
    group by fiscal_quarter_label
),

calendar_bounds as (
    select
        min(date_day) as calendar_start,
        max(date_day) as calendar_end
    from days
),

final as (
    select quarters.*
    from quarters
    cross join calendar_bounds
    where
        quarters.quarter_start_date >= calendar_bounds.calendar_start
        and quarters.quarter_end_date <= calendar_bounds.calendar_end
        and (
            quarters.n_days != quarters.days_in_quarter
            or quarters.first_day != quarters.quarter_start_date
            or quarters.last_day != quarters.quarter_end_date
        )
)

select * from final
