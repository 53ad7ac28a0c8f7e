-- Pipeline generated day by day in the current quarter: every day of the total (the chart)
-- and, on as_of_date, each source, region and segment against its target.
select
    date_day,
    day_of_quarter,
    fiscal_period,
    dimension_type,
    dimension_value,
    dimension_label,
    pipeline_generated,
    pipeline_generated_qtd,
    target_period,
    target_to_date,
    pacing,
    rag_status,
    run_rate_to_date,
    required_run_rate,
    date_day = as_of_date as is_as_of
from marts.mart_daily_pipe_gen
where
    is_current_quarter
    and dimension_type in ('total', 'source', 'region', 'segment')
order by
    case dimension_type
        when 'total' then 0 when 'source' then 1 when 'region' then 2 else 3
    end,
    dimension_value,
    date_day
