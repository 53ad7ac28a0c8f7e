{#- APM amounts for each report day and period, and for the day and period a
    year earlier, each computed from the opportunity versions valid at the end
    of that day (docs/metrics.md §2.1, §3.3-3.6): closed won, open pipeline (open,
    qualified band, not Omitted), Commit and Best Case forecasts and pipeline
    generation (first qualified entry inside the period and by the day, at
    the amount known that day). ACV in the corporate currency; excluded deals
    never count. One row per snapshot day, period start and slice. -#}

with report_days as (
    select * from {{ ref('int_apm__report_days') }}
),

snapshots as (
    select distinct
        as_of_date as snapshot_date,
        period_start_date,
        period_end_date
    from report_days
    union
    select distinct
        ly_as_of_date as snapshot_date,
        ly_period_start_date as period_start_date,
        ly_period_end_date as period_end_date
    from report_days
),

versions as (
    select * from {{ ref('fct_opportunity_version') }}
    where not is_excluded
),

snapshot_days as (
    select distinct snapshot_date from snapshots
),

states as (
    select
        snapshot_days.snapshot_date,
        versions.opportunity_id,
        versions.is_open,
        versions.is_won,
        versions.stage_sort_order,
        versions.forecast_category,
        versions.close_date,
        versions.acv_corp,
        cast(versions.pipeline_created_at as date) as pipeline_created_date
    from snapshot_days
    inner join versions
        on {{ version_valid_on('versions', 'snapshot_days.snapshot_date') }}
),

flagged as (
    select
        snapshots.snapshot_date,
        snapshots.period_start_date,
        states.opportunity_id,
        states.acv_corp,
        states.close_date between snapshots.period_start_date
        and snapshots.period_end_date as closes_in_period,
        states.is_won and states.close_date <= snapshots.snapshot_date
            as is_closed_won,
        {{ is_open_pipeline('states') }} as is_open_pipeline,
        {{ is_open_commit('states') }} as is_commit,
        {{ is_open_best_case('states') }} as is_best_case,
        coalesce(
            states.pipeline_created_date between snapshots.period_start_date
            and snapshots.period_end_date
            and states.pipeline_created_date <= snapshots.snapshot_date
            and states.acv_corp > 0,
            false
        ) as is_pipeline_generated
    from snapshots
    inner join states
        on snapshots.snapshot_date = states.snapshot_date
),

-- A version that neither closes in the period nor generated pipeline in it
-- adds nothing to any sum (most of them, for a quarter), so it is left out
-- before it is multiplied by its slices; `present` keeps every slice that has
-- a deal on the day, so slices whose sums are all empty still get a row.
sliced as (
    select
        flagged.*,
        slices.dimension_type,
        slices.dimension_value,
        flagged.acv_corp * slices.allocation_share as acv_corp_share
    from flagged
    inner join {{ ref('int_apm__opportunity_slices') }} as slices
        on flagged.opportunity_id = slices.opportunity_id
    where flagged.closes_in_period or flagged.is_pipeline_generated
),

summed as (
    select
        snapshot_date,
        period_start_date,
        dimension_type,
        dimension_value,
        sum(
            case when closes_in_period and is_closed_won then acv_corp_share end
        )
            as closed_won_acv,
        sum(
            case
                when closes_in_period and is_open_pipeline then acv_corp_share
            end
        )
            as open_pipeline,
        sum(case when closes_in_period and is_commit then acv_corp_share end)
            as open_commit,
        sum(case when closes_in_period and is_best_case then acv_corp_share end)
            as open_best_case,
        sum(case when is_pipeline_generated then acv_corp_share end)
            as pipeline_generation
    from sliced
    group by snapshot_date, period_start_date, dimension_type, dimension_value
),

day_slices as (
    select distinct
        states.snapshot_date,
        slices.dimension_type,
        slices.dimension_value
    from states
    inner join {{ ref('int_apm__opportunity_slices') }} as slices
        on states.opportunity_id = slices.opportunity_id
),

present as (
    select
        snapshots.snapshot_date,
        snapshots.period_start_date,
        day_slices.dimension_type,
        day_slices.dimension_value
    from snapshots
    inner join day_slices
        on snapshots.snapshot_date = day_slices.snapshot_date
),

final as (
    select
        present.snapshot_date,
        present.period_start_date,
        present.dimension_type,
        present.dimension_value,
        summed.closed_won_acv,
        summed.open_pipeline,
        summed.open_commit,
        summed.open_best_case,
        summed.pipeline_generation
    from present
    left join summed
        on
            present.snapshot_date = summed.snapshot_date
            and present.period_start_date = summed.period_start_date
            and present.dimension_type = summed.dimension_type
            and present.dimension_value = summed.dimension_value
)

select * from final
