-- How close each closed quarter's Commit forecast was to its final closed won, review day by
-- review day.
select
    fiscal_period,
    period_start_date,
    review_date,
    day_of_quarter,
    forecast_commit,
    final_closed_won,
    accuracy_pct,
    abs_pct_error,
    commit_conversion
from marts.mart_forecast_trajectory
where is_quarter_closed
order by period_start_date, review_date
