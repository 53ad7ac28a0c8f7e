-- Each adjacent stage pair of the total funnel over the 12-month baseline, with the from-stage's
-- entries in the 30 days to the run's day against its baseline pace.
select
    baseline.window_start_date,
    baseline.window_end_date,
    baseline.from_stage,
    baseline.to_stage,
    baseline.from_stage_order,
    baseline.volume,
    baseline.entries,
    baseline.mature_volume,
    baseline.converted_count,
    baseline.conversion_rate,
    baseline.velocity_days_mean,
    baseline.velocity_days_median,
    baseline.drop_off_rate,
    baseline.is_largest_drop_off,
    baseline.last_30d_from_entries,
    baseline.last_30d_to_entries,
    baseline.last_30d_conversion_rate,
    baseline.last_30d_vs_baseline_pct,
    daily.entries_rolling_30d,
    daily.baseline_entries_per_30d,
    daily.vs_baseline_pct as entries_vs_baseline_pct
from marts.mart_funnel_baseline as baseline
left join marts.mart_funnel_daily as daily
    on
        daily.stage = baseline.from_stage
        and daily.activity_date = baseline.as_of_date
        and daily.dimension_type = 'total'
where
    baseline.as_of_date = $as_of_date
    and baseline.dimension_type = 'total'
    and baseline.is_adjacent
order by baseline.from_stage_order, baseline.to_stage
