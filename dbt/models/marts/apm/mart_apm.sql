{#- The Accountability Performance Matrix in long form (docs/metrics.md
    §3.3-§3.9). One row per as_of_date x fiscal_period x dimension_type x
    dimension_value x metric, for the run's as_of_date and every weekly review
    day of the current and previous fiscal quarter, each as known on that day;
    periods are the quarter containing the day and the next one. value_ly is the
    same metric for the same quarter a year earlier as known on the same day of
    that quarter (from history, not today's view). Amounts are ACV in the
    corporate currency; coverage is numerator / denominator and null when the
    target is missing or already met. RAG: grey before rag_guard_days or without
    a target; cumulative metrics by pacing, forecasts by attainment, open
    pipeline and coverage by remaining coverage against the coverage the
    trailing win rate requires (yellow from 0.8 of it). Ratios, percentages and
    RAG are non-additive; product rows add up to the total for amounts. -#}
{%- set metrics = apm_metrics() -%}
{%- set green = var('rag_green_pacing') -%}
{%- set yellow = var('rag_yellow_pacing') -%}

with report_days as (
    select * from {{ ref('int_apm__report_days') }}
),

measures as (
    select * from {{ ref('int_apm__snapshot_measures') }}
),

targets as (
    select
        fiscal_period,
        metric,
        dimension_type,
        dimension_value,
        sum(target_amount) as target_amount
    from {{ ref('stg_plan__targets') }}
    group by fiscal_period, metric, dimension_type, dimension_value
),

required as (
    select * from {{ ref('int_apm__required_coverage') }}
),

-- Every slice with an actual now, an actual a year ago or a target.
slices as (
    select
        report_days.as_of_date,
        report_days.period_start_date,
        measures.dimension_type,
        measures.dimension_value
    from report_days
    inner join measures
        on
            report_days.as_of_date = measures.snapshot_date
            and report_days.period_start_date = measures.period_start_date

    union

    select
        report_days.as_of_date,
        report_days.period_start_date,
        measures.dimension_type,
        measures.dimension_value
    from report_days
    inner join measures
        on
            report_days.ly_as_of_date = measures.snapshot_date
            and report_days.ly_period_start_date = measures.period_start_date

    union

    select
        report_days.as_of_date,
        report_days.period_start_date,
        targets.dimension_type,
        targets.dimension_value
    from report_days
    inner join targets
        on report_days.fiscal_period = targets.fiscal_period
    where targets.metric in ('closed_won_acv', 'pipeline_generation')
),

wide as (
    select
        report_days.*,
        slices.dimension_type,
        slices.dimension_value,
        coalesce(current_measures.closed_won_acv, 0) as closed_won_acv,
        coalesce(current_measures.open_pipeline, 0) as open_pipeline,
        coalesce(current_measures.open_commit, 0) as open_commit,
        coalesce(current_measures.open_best_case, 0) as open_best_case,
        coalesce(current_measures.pipeline_generation, 0)
            as pipeline_generation,
        coalesce(ly.closed_won_acv, 0) as closed_won_acv_ly,
        coalesce(ly.open_pipeline, 0) as open_pipeline_ly,
        coalesce(ly.open_commit, 0) as open_commit_ly,
        coalesce(ly.open_best_case, 0) as open_best_case_ly,
        coalesce(ly.pipeline_generation, 0) as pipeline_generation_ly,
        bookings_target.target_amount as bookings_target,
        generation_target.target_amount as generation_target,
        ly_bookings_target.target_amount as bookings_target_ly,
        required.required_coverage
    from slices
    inner join report_days
        on
            slices.as_of_date = report_days.as_of_date
            and slices.period_start_date = report_days.period_start_date
    left join measures as current_measures
        on
            report_days.as_of_date = current_measures.snapshot_date
            and report_days.period_start_date
            = current_measures.period_start_date
            and slices.dimension_type = current_measures.dimension_type
            and slices.dimension_value = current_measures.dimension_value
    left join measures as ly
        on
            report_days.ly_as_of_date = ly.snapshot_date
            and report_days.ly_period_start_date = ly.period_start_date
            and slices.dimension_type = ly.dimension_type
            and slices.dimension_value = ly.dimension_value
    left join targets as bookings_target
        on
            report_days.fiscal_period = bookings_target.fiscal_period
            and bookings_target.metric = 'closed_won_acv'
            and slices.dimension_type = bookings_target.dimension_type
            and slices.dimension_value = bookings_target.dimension_value
    left join targets as generation_target
        on
            report_days.fiscal_period = generation_target.fiscal_period
            and generation_target.metric = 'pipeline_generation'
            and slices.dimension_type = generation_target.dimension_type
            and slices.dimension_value = generation_target.dimension_value
    left join targets as ly_bookings_target
        on
            report_days.ly_fiscal_period = ly_bookings_target.fiscal_period
            and ly_bookings_target.metric = 'closed_won_acv'
            and slices.dimension_type = ly_bookings_target.dimension_type
            and slices.dimension_value = ly_bookings_target.dimension_value
    left join required
        on
            report_days.period_start_date = required.period_start_date
            and slices.dimension_type = required.dimension_type
            and slices.dimension_value = required.dimension_value
),

metrics as (
    {%- for metric in metrics %}
        select '{{ metric }}' as metric
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

long_form as (
    select
        wide.as_of_date,
        wide.fiscal_period,
        wide.period_start_date,
        wide.period_end_date,
        wide.period_offset,
        wide.day_of_period,
        wide.pct_period_elapsed,
        wide.dimension_type,
        wide.dimension_value,
        metrics.metric,
        wide.required_coverage,
        case metrics.metric
            when 'forecast_commit' then wide.closed_won_acv + wide.open_commit
            when 'forecast_best_case'
                then wide.closed_won_acv + wide.open_best_case
            when 'closed_won_acv' then wide.closed_won_acv
            when 'open_pipeline' then wide.open_pipeline
            when 'pipeline_generation' then wide.pipeline_generation
            else wide.open_pipeline
        end as numerator,
        case metrics.metric
            when 'coverage_remaining'
                then wide.bookings_target - wide.closed_won_acv
            when 'coverage_gross' then wide.bookings_target
        end as denominator,
        case metrics.metric
            when 'forecast_commit'
                then wide.closed_won_acv_ly + wide.open_commit_ly
            when 'forecast_best_case'
                then wide.closed_won_acv_ly + wide.open_best_case_ly
            when 'closed_won_acv' then wide.closed_won_acv_ly
            when 'open_pipeline' then wide.open_pipeline_ly
            when 'pipeline_generation' then wide.pipeline_generation_ly
            else wide.open_pipeline_ly
        end as numerator_ly,
        case metrics.metric
            when 'coverage_remaining'
                then wide.bookings_target_ly - wide.closed_won_acv_ly
            when 'coverage_gross' then wide.bookings_target_ly
        end as denominator_ly,
        case metrics.metric
            when 'pipeline_generation' then wide.generation_target
            when 'open_pipeline' then null
            else wide.bookings_target
        end as target_period,
        metrics.metric in ('closed_won_acv', 'pipeline_generation')
            as is_cumulative,
        metrics.metric like 'coverage_%' as is_ratio
    from wide
    cross join metrics
),

valued as (
    select
        *,
        -- Never divide by a negative: a met or missing target gives null.
        case
            when not is_ratio then numerator
            when denominator > 0 then numerator / denominator
        end as value,
        case
            when not is_ratio then numerator_ly
            when denominator_ly > 0 then numerator_ly / denominator_ly
        end as value_ly
    from long_form
),

measured as (
    select
        *,
        case
            when is_cumulative then target_period * pct_period_elapsed
        end as target_to_date,
        case
            when not is_ratio and target_period > 0 then value / target_period
        end as attainment_pct,
        case
            when is_cumulative and target_period > 0 and pct_period_elapsed > 0
                then value / target_period / pct_period_elapsed
        end as pacing,
        -- open pipeline and both coverages are judged by remaining coverage
        case
            when
                metric in (
                    'open_pipeline', 'coverage_remaining', 'coverage_gross'
                )
                then
                    case
                        when
                            max(
                                case
                                    when
                                        metric = 'coverage_remaining'
                                        then denominator
                                end
                            )
                                over (
                                    partition by
                                        as_of_date,
                                        period_start_date,
                                        dimension_type,
                                        dimension_value
                                )
                            <= 0
                            then 'target_met'
                    end
        end as coverage_status,
        max(case when metric = 'coverage_remaining' then value end) over (
            partition by
                as_of_date, period_start_date, dimension_type, dimension_value
        ) as coverage_remaining_value
    from valued
),

final as (
    select
        as_of_date,
        fiscal_period,
        period_start_date,
        period_end_date,
        dimension_type,
        dimension_value,
        metric,
        value,
        numerator,
        denominator,
        value_ly,
        (value - value_ly) / nullif(abs(value_ly), 0) as yoy_pct,
        target_period,
        target_to_date,
        attainment_pct,
        pct_period_elapsed,
        pacing,
        case
            when day_of_period < {{ var('rag_guard_days') }} then 'grey'
            when is_cumulative
                then
                    case
                        when pacing is null then 'grey'
                        when pacing >= {{ green }} then 'green'
                        when pacing >= {{ yellow }} then 'yellow'
                        else 'red'
                    end
            when metric like 'forecast_%'
                then
                    case
                        when attainment_pct is null then 'grey'
                        when attainment_pct >= {{ green }} then 'green'
                        when attainment_pct >= {{ yellow }} then 'yellow'
                        else 'red'
                    end
            when coverage_status = 'target_met' then 'green'
            when coverage_remaining_value is null or required_coverage is null
                then 'grey'
            when coverage_remaining_value >= required_coverage then 'green'
            when
                coverage_remaining_value >= 0.8 * required_coverage
                then 'yellow'
            else 'red'
        end as rag_status,
        -- What the status was decided on, so a reader can see why (the
        -- report's hover text).
        case
            when day_of_period < {{ var('rag_guard_days') }} then 'too_early'
            when is_cumulative then 'pacing'
            when metric like 'forecast_%' then 'attainment'
            when coverage_status = 'target_met' then 'target_met'
            else 'coverage'
        end as rag_basis,
        case
            when day_of_period < {{ var('rag_guard_days') }} then null
            when is_cumulative then pacing
            when metric like 'forecast_%' then attainment_pct
            when coverage_status = 'target_met' then null
            else coverage_remaining_value
        end as rag_measure,
        case
            when day_of_period < {{ var('rag_guard_days') }} then null
            when is_cumulative or metric like 'forecast_%' then {{ green }}
            when coverage_status = 'target_met' then null
            else required_coverage
        end as rag_green_from,
        case
            when day_of_period < {{ var('rag_guard_days') }} then null
            when is_cumulative or metric like 'forecast_%' then {{ yellow }}
            when coverage_status = 'target_met' then null
            else 0.8 * required_coverage
        end as rag_yellow_from,
        coverage_status,
        required_coverage
    from measured
)

select * from final
