{#- How each quarter's forecast moved towards its result (docs/metrics.md
    §3.17): for the current fiscal quarter and the forecast_trajectory_quarters
    closed quarters before it, on every weekly review day of the quarter, the
    closed won to date, the Commit and Best Case forecasts, the open and the
    probability-weighted pipeline and the pipeline generated to date, each as
    known that day (from the opportunity versions, so the whole history is
    there on the first run); for a closed quarter its final closed won (as
    known at the end of its last day) and how far each day's forecast was
    from it; the share of that day's Commit that was won; and attainment
    against the same day a year earlier. Total only. One row per fiscal_period
    x review_date. -#}
{%- set quarters_back = var('forecast_trajectory_quarters') | int -%}
with calendar as (
    select * from {{ ref('dim_date') }}
),

versions as (
    select
        opportunity_id,
        valid_from_date,
        valid_to_date,
        is_open,
        is_won,
        forecast_category,
        stage_sort_order,
        probability,
        close_date,
        acv_corp,
        pipeline_created_at
    from {{ ref('fct_opportunity_version') }}
    where not is_excluded
),

targets as (
    select
        fiscal_period,
        sum(target_amount) as target_amount
    from {{ ref('stg_plan__targets') }}
    where metric = 'closed_won_acv' and dimension_type = 'total'
    group by fiscal_period
),

as_of_quarter as (
    select fiscal_quarter_start_date
    from calendar
    where date_day = {{ as_of_date() }}
),

review_days as (
    select
        calendar.date_day as review_date,
        calendar.fiscal_quarter_label as fiscal_period,
        calendar.fiscal_quarter_start_date as period_start_date,
        calendar.fiscal_quarter_end_date as period_end_date,
        calendar.day_of_fiscal_quarter as day_of_quarter,
        calendar.day_of_quarter_normalised,
        calendar.same_day_last_fiscal_year as ly_review_date,
        ly.fiscal_quarter_label as ly_fiscal_period,
        ly.fiscal_quarter_start_date as ly_period_start_date,
        ly.fiscal_quarter_end_date as ly_period_end_date
    from calendar
    cross join as_of_quarter
    inner join calendar as ly
        on calendar.same_day_last_fiscal_year = ly.date_day
    where
        calendar.is_weekly_review_day
        and calendar.date_day <= {{ as_of_date() }}
        and calendar.fiscal_quarter_start_date
        >= cast({{ dbt.dateadd(
            'month', -3 * quarters_back, 'as_of_quarter.fiscal_quarter_start_date'
        ) }} as date)
),

-- Every (day, quarter) measured: the review days, the same days a year
-- earlier, and the last day of each closed quarter (its final result).
snapshots as (
    select
        review_date as snapshot_date,
        period_start_date,
        period_end_date
    from review_days
    union
    select
        ly_review_date as snapshot_date,
        ly_period_start_date as period_start_date,
        ly_period_end_date as period_end_date
    from review_days
    union
    select
        period_end_date as snapshot_date,
        period_start_date,
        period_end_date
    from review_days
    where period_end_date <= {{ as_of_date() }}
),

-- Each version with the quarter of its close date and of its pipeline
-- creation: a deal counts for a quarter only through one of those, so each
-- version meets only the snapshots of its own quarters (an equality join),
-- not every snapshot day.
quartered as (
    select
        versions.*,
        cast(versions.pipeline_created_at as date) as pipeline_created_date,
        close_quarter.fiscal_quarter_start_date as close_quarter_start_date,
        created_quarter.fiscal_quarter_start_date
            as created_quarter_start_date
    from versions
    left join calendar as close_quarter
        on versions.close_date = close_quarter.date_day
    left join calendar as created_quarter
        on
            cast(versions.pipeline_created_at as date)
            = created_quarter.date_day
),

in_quarter as (
    select
        snapshots.snapshot_date,
        snapshots.period_start_date,
        snapshots.period_end_date,
        quartered.*
    from snapshots
    inner join quartered
        on
            snapshots.period_start_date = quartered.close_quarter_start_date
            and {{ version_valid_on('quartered', 'snapshots.snapshot_date') }}

    union all

    select
        snapshots.snapshot_date,
        snapshots.period_start_date,
        snapshots.period_end_date,
        quartered.*
    from snapshots
    inner join quartered
        on
            snapshots.period_start_date = quartered.created_quarter_start_date
            and {{ version_valid_on('quartered', 'snapshots.snapshot_date') }}
    -- once only when both dates fall in the same quarter
    where
        quartered.close_quarter_start_date is null
        or quartered.close_quarter_start_date
        <> quartered.created_quarter_start_date
),

flagged as (
    select
        snapshot_date,
        period_start_date,
        opportunity_id,
        acv_corp,
        probability,
        close_date between period_start_date and period_end_date
            as closes_in_period,
        is_won and close_date <= snapshot_date as is_closed_won,
        {{ is_open_pipeline() }} as is_open_pipeline,
        {{ is_open_commit() }} as is_commit,
        {{ is_open_best_case() }} as is_best_case,
        coalesce(
            pipeline_created_date between period_start_date
            and period_end_date
            and pipeline_created_date <= snapshot_date
            and acv_corp > 0,
            false
        ) as is_pipeline_generated
    from in_quarter
),

measures as (
    select
        snapshot_date,
        period_start_date,
        sum(
            case when closes_in_period and is_closed_won then acv_corp end
        ) as closed_won,
        sum(case when closes_in_period and is_commit then acv_corp end)
            as open_commit,
        sum(case when closes_in_period and is_best_case then acv_corp end)
            as open_best_case,
        sum(case when closes_in_period and is_open_pipeline then acv_corp end)
            as open_pipeline,
        sum(
            case
                when closes_in_period and is_open_pipeline
                    then acv_corp * coalesce(probability, 0)
            end
        ) as weighted_pipeline,
        sum(case when is_pipeline_generated then acv_corp end)
            as pipeline_generated
    from flagged
    group by snapshot_date, period_start_date
),

-- The deals in Commit for the quarter on a review day, and what they became:
-- won in the quarter by its last day.
commit_outcomes as (
    select
        review_days.review_date,
        review_days.period_start_date,
        sum(on_day.acv_corp) as commit_open_acv,
        sum(
            case
                when
                    at_end.is_won
                    and at_end.close_date between review_days.period_start_date
                    and review_days.period_end_date
                    then at_end.acv_corp
                else 0
            end
        ) as commit_won_acv
    from review_days
    inner join flagged as on_day
        on
            review_days.review_date = on_day.snapshot_date
            and review_days.period_start_date = on_day.period_start_date
            and on_day.closes_in_period
            and on_day.is_commit
    inner join versions as at_end
        on
            on_day.opportunity_id = at_end.opportunity_id
            and {{ version_valid_on('at_end', 'review_days.period_end_date') }}
    where review_days.period_end_date <= {{ as_of_date() }}
    group by review_days.review_date, review_days.period_start_date
),

final as (
    select
        review_days.fiscal_period,
        review_days.period_start_date,
        review_days.period_end_date,
        review_days.review_date,
        review_days.day_of_quarter,
        review_days.day_of_quarter_normalised,
        review_days.period_end_date <= {{ as_of_date() }} as is_quarter_closed,
        coalesce(on_day.closed_won, 0) as closed_won_to_date,
        coalesce(on_day.closed_won, 0) + coalesce(on_day.open_commit, 0)
            as forecast_commit,
        coalesce(on_day.closed_won, 0) + coalesce(on_day.open_best_case, 0)
            as forecast_best_case,
        coalesce(on_day.open_pipeline, 0) as open_pipeline,
        coalesce(on_day.weighted_pipeline, 0) as weighted_pipeline,
        coalesce(on_day.pipeline_generated, 0) as pipeline_generated_to_date,
        case
            when review_days.period_end_date <= {{ as_of_date() }}
                then coalesce(at_end.closed_won, 0)
        end as final_closed_won,
        commit_outcomes.commit_open_acv,
        commit_outcomes.commit_won_acv,
        cast(targets.target_amount as {{ type_double() }}) as bookings_target,
        cast(ly_targets.target_amount as {{ type_double() }})
            as bookings_target_ly,
        coalesce(ly.closed_won, 0) as closed_won_to_date_ly
    from review_days
    left join measures as on_day
        on
            review_days.review_date = on_day.snapshot_date
            and review_days.period_start_date = on_day.period_start_date
    left join measures as at_end
        on
            review_days.period_end_date = at_end.snapshot_date
            and review_days.period_start_date = at_end.period_start_date
    left join measures as ly
        on
            review_days.ly_review_date = ly.snapshot_date
            and review_days.ly_period_start_date = ly.period_start_date
    left join commit_outcomes
        on
            review_days.review_date = commit_outcomes.review_date
            and review_days.period_start_date
            = commit_outcomes.period_start_date
    left join targets
        on review_days.fiscal_period = targets.fiscal_period
    left join targets as ly_targets
        on review_days.ly_fiscal_period = ly_targets.fiscal_period
),

ratios as (
    select
        *,
        forecast_commit / nullif(final_closed_won, 0) as accuracy_pct,
        abs(forecast_commit - final_closed_won)
        / nullif(final_closed_won, 0) as abs_pct_error,
        (forecast_commit - final_closed_won)
        / nullif(final_closed_won, 0) as bias_pct,
        commit_won_acv / nullif(commit_open_acv, 0) as commit_conversion,
        closed_won_to_date / nullif(bookings_target, 0) as attainment_pct,
        closed_won_to_date_ly / nullif(bookings_target_ly, 0)
            as attainment_pct_ly
    from final
)

select
    *,
    attainment_pct / nullif(attainment_pct_ly, 0) as historical_velocity
from ratios
