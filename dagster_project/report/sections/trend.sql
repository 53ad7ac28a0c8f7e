-- Each metric of the total slice on the review days of the current quarter and the one before
-- (on each day, the quarter then in progress), with the same day of last year (value_ly: the
-- value as it was known then).
with in_progress as (
    select
        as_of_date,
        fiscal_period,
        period_start_date,
        metric,
        value,
        value_ly
    from marts.mart_apm
    where
        dimension_type = 'total'
        and as_of_date <= $as_of_date
        and as_of_date between period_start_date and period_end_date
),

last_two as (
    select distinct period_start_date
    from in_progress
    order by period_start_date desc
    limit 2
)

select
    in_progress.as_of_date,
    in_progress.fiscal_period,
    in_progress.period_start_date,
    in_progress.metric,
    in_progress.value,
    in_progress.value_ly
from in_progress
inner join last_two on in_progress.period_start_date = last_two.period_start_date
order by in_progress.metric, in_progress.as_of_date
