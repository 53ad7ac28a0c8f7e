-- Why the current quarter's open pipeline moved: since the quarter's eve and since the last
-- weekly review, total slice, every bucket in display order.
with current_quarter as (
    select fiscal_period
    from marts.mart_apm
    where
        as_of_date = $as_of_date
        and $as_of_date between period_start_date and period_end_date
    limit 1
)

select
    waterfall.window_type,
    waterfall.window_start_date,
    waterfall.window_end_date,
    waterfall.fiscal_period,
    waterfall.bucket,
    waterfall.bucket_order,
    waterfall.amount_corp,
    waterfall.deal_count
from marts.mart_pipeline_waterfall as waterfall
inner join current_quarter on waterfall.fiscal_period = current_quarter.fiscal_period
where
    waterfall.dimension_type = 'total'
    and waterfall.window_type in ('quarter_to_date', 'week')
    and waterfall.window_end_date = $as_of_date
order by waterfall.window_type, waterfall.bucket_order
