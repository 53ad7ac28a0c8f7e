-- The weekly APM review: every slice of the current and next fiscal quarter as of the run's day.
select
    fiscal_period,
    period_start_date,
    period_end_date,
    dimension_type,
    dimension_value,
    metric,
    value,
    value_ly,
    yoy_pct,
    target_period,
    target_to_date,
    attainment_pct,
    pacing,
    pct_period_elapsed,
    rag_status,
    rag_basis,
    rag_measure,
    rag_green_from,
    rag_yellow_from
from marts.mart_apm
where as_of_date = $as_of_date
order by
    period_start_date,
    case dimension_type
        when 'total' then 0 when 'product' then 1 when 'region' then 2
        when 'segment' then 3 else 4
    end,
    dimension_value,
    metric
