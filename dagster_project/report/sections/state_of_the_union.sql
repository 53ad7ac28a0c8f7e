-- State of the Union: the month, quarter and year to date of the total, segments and regions,
-- the fiscal year's months of the total (the chart), and the leading owners this quarter.
select
    period_type,
    period_label,
    period_start_date,
    to_date_end,
    is_current,
    dimension_type,
    dimension_value,
    dimension_label,
    rank_closed_won,
    rank_pipeline_generated,
    closed_won_acv,
    closed_won_yoy_pct,
    target_period,
    target_to_date,
    attainment_pct,
    pacing,
    rag_status,
    win_rate_count,
    average_deal_size,
    pipeline_generated,
    pipeline_generated_yoy_pct,
    quarter_forecast_commit,
    quarter_forecast_best_case,
    quarter_open_pipeline,
    quarter_coverage_remaining
from marts.mart_state_of_the_union
order by
    case dimension_type
        when 'total' then 0 when 'segment' then 1 when 'region' then 2
        when 'team' then 3 else 4
    end,
    dimension_value,
    period_start_date,
    period_type
