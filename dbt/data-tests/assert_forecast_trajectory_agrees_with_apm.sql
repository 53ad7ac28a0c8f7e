{{ config(meta={'dagster': {'ref': {'name': 'mart_forecast_trajectory'}}}) }}
-- On the review days both report, the trajectory's values for a quarter equal
-- mart_apm's total row for that day and quarter (docs/metrics.md §3.17), to the
-- cent: the two compute them from the same versions by separate SQL. A
-- returned row names the day, the quarter and the metric that differ.
with trajectory as (
    select * from {{ ref('mart_forecast_trajectory') }}
),

apm as (
    select
        as_of_date,
        fiscal_period,
        metric,
        value
    from {{ ref('mart_apm') }}
    where dimension_type = 'total'
),

pairs as (
    select
        trajectory.review_date,
        trajectory.fiscal_period,
        apm.metric,
        apm.value as apm_value,
        case apm.metric
            when 'closed_won_acv' then trajectory.closed_won_to_date
            when 'forecast_commit' then trajectory.forecast_commit
            when 'forecast_best_case' then trajectory.forecast_best_case
            when 'open_pipeline' then trajectory.open_pipeline
            when 'pipeline_generation'
                then trajectory.pipeline_generated_to_date
        end as trajectory_value
    from trajectory
    inner join apm
        on
            trajectory.review_date = apm.as_of_date
            and trajectory.fiscal_period = apm.fiscal_period
    where
        apm.metric in (
            'closed_won_acv',
            'forecast_commit',
            'forecast_best_case',
            'open_pipeline',
            'pipeline_generation'
        )
)

select * from pairs
where abs(apm_value - trajectory_value) > 0.005
