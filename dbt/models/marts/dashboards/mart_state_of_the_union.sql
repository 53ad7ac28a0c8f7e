{#- State of the Union (docs/metrics.md §3.23): the month's most important
    numbers for the executive rollup, as known at the end of as_of_date.
    Periods: every fiscal month of the fiscal year so far (the current one to
    as_of_date), the quarter to date and the year to date. Slices: total,
    segment and region (every row), and the top sotu_top_n owners and teams
    (the owner's manager) by closed won and by pipeline generated in the
    period. Closed won, win rate and average deal size count deals closed by
    as_of_date and not excluded (a lost deal at its last open ACV); pipeline
    generated counts deals by the day they became pipeline, at their ACV now;
    last year is the same days a year earlier. The target is the
    closed_won_acv target of plan/target, spread evenly over its quarter's
    days; pacing = closed won / target to date, RAG as in mart_apm. The
    quarter's forecast, open pipeline and coverage (mart_apm_matrix on
    as_of_date) are on the rows of periods that contain as_of_date. Amounts
    of segment and region rows add up to the total; ratios and ranks do not
    add. One row per period_type x period_start_date x dimension_type x
    dimension_value. -#}
{%- set top_n = var('sotu_top_n') | int -%}
{%- set green = var('rag_green_pacing') -%}
{%- set yellow = var('rag_yellow_pacing') -%}
{#- name, deal_days column, takes the slice's share, last year's days -#}
{%- set fact_sums = [
    ('won_count', 'won_count', false, false),
    ('closed_count', 'closed_count', false, false),
    ('closed_won_acv', 'closed_won_acv', true, false),
    ('won_positive_count', 'won_positive_count', false, false),
    ('won_positive_acv', 'won_positive_acv', true, false),
    ('closed_won_acv_ly', 'closed_won_acv', true, true),
    ('deals_generated', 'deals_generated', false, false),
    ('pipeline_generated', 'pipeline_generated', true, false),
    ('pipeline_generated_ly', 'pipeline_generated', true, true)] -%}
with calendar as (
    select * from {{ ref('dim_date') }}
),

as_of_day as (
    select
        fiscal_year_label,
        fiscal_year_start_date,
        fiscal_quarter_label,
        fiscal_quarter_start_date,
        fiscal_quarter_end_date,
        month_start_date
    from calendar
    where date_day = {{ as_of_date() }}
),

months as (
    select
        'month' as period_type,
        min(calendar.fiscal_year_label) || '-M'
        || case when min(calendar.fiscal_month) < 10 then '0' else '' end
        || cast(min(calendar.fiscal_month) as {{ dbt.type_string() }})
            as period_label,
        calendar.month_start_date as period_start_date,
        max(calendar.date_day) as period_end_date
    from calendar
    cross join as_of_day
    where
        calendar.date_day >= as_of_day.fiscal_year_start_date
        and calendar.month_start_date <= as_of_day.month_start_date
    group by calendar.month_start_date
),

periods_listed as (
    select * from months
    union all
    select
        'quarter_to_date' as period_type,
        fiscal_quarter_label as period_label,
        fiscal_quarter_start_date as period_start_date,
        fiscal_quarter_end_date as period_end_date
    from as_of_day
    union all
    select
        'year_to_date' as period_type,
        fiscal_year_label as period_label,
        fiscal_year_start_date as period_start_date,
        cast(
            {{ dbt.dateadd(
                'day', -1, dbt.dateadd('year', 1, 'fiscal_year_start_date')
            ) }} as date
        ) as period_end_date
    from as_of_day
),

periods as (
    select
        period_type,
        period_label,
        period_start_date,
        period_end_date,
        to_date_end,
        {{ as_of_date() }} <= period_end_date as is_current,
        cast(
            {{ dbt.dateadd('year', -1, 'period_start_date') }} as date
        ) as ly_start_date,
        cast({{ dbt.dateadd('year', -1, 'to_date_end') }} as date)
            as ly_to_date_end,
        {{ dbt.datediff('period_start_date', 'to_date_end', 'day') }}
        + 1 as days_elapsed
    from (
        select
            periods_listed.*,
            least(periods_listed.period_end_date, {{ as_of_date() }})
                as to_date_end
        from periods_listed
    ) as bounded
),

owners as (
    select * from {{ ref('dim_user') }}
),

slices as (
    select
        opportunity_id,
        dimension_type,
        dimension_value,
        allocation_share
    from {{ ref('int_apm__opportunity_slices') }}
    where dimension_type in ('total', 'segment', 'region')
    union all
    select
        opportunities.opportunity_id,
        'owner' as dimension_type,
        coalesce(opportunities.owner_id, 'unknown') as dimension_value,
        1.0 as allocation_share
    from {{ ref('fct_opportunity') }} as opportunities
    where not opportunities.is_excluded
    union all
    select
        opportunities.opportunity_id,
        'team' as dimension_type,
        coalesce(owners.manager_id, 'none') as dimension_value,
        1.0 as allocation_share
    from {{ ref('fct_opportunity') }} as opportunities
    left join owners on opportunities.owner_id = owners.user_id
    where not opportunities.is_excluded
),

-- Closed and generated deals, each on the day that places it in a period.
deal_days as (
    select
        opportunity_id,
        close_date as fact_date,
        case when is_won then 1 else 0 end as won_count,
        1 as closed_count,
        case when is_won then acv_corp else 0 end as closed_won_acv,
        case when is_won and acv_corp > 0 then 1 else 0 end
            as won_positive_count,
        case when is_won and acv_corp > 0 then acv_corp else 0 end
            as won_positive_acv,
        0 as deals_generated,
        0 as pipeline_generated
    from {{ ref('int_apm__closed_deals') }}
    union all
    select
        opportunity_id,
        pipeline_created_date as fact_date,
        0 as won_count,
        0 as closed_count,
        0 as closed_won_acv,
        0 as won_positive_count,
        0 as won_positive_acv,
        1 as deals_generated,
        coalesce(acv_corp, 0) as pipeline_generated
    from {{ ref('fct_opportunity') }}
    where
        not is_excluded
        and pipeline_created_date <= {{ as_of_date() }}
),

facts as (
    select
        periods.period_type,
        periods.period_start_date,
        slices.dimension_type,
        slices.dimension_value,
        {%- for name, source, shared, last_year in fact_sums %}
            {%- if last_year %}
                {%- set in_window = 'deal_days.fact_date'
                    ~ ' <= periods.ly_to_date_end' %}
            {%- else %}
                {%- set in_window = 'deal_days.fact_date'
                    ~ ' >= periods.period_start_date' %}
            {%- endif %}
            {%- set amount = 'deal_days.' ~ source
                ~ (' * slices.allocation_share' if shared else '') %}
            sum(case when {{ in_window }} then {{ amount }} else 0 end)
                as {{ name }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from deal_days
    inner join periods
        on
            (
                deal_days.fact_date >= periods.period_start_date
                and deal_days.fact_date <= periods.to_date_end
            )
            or (
                deal_days.fact_date >= periods.ly_start_date
                and deal_days.fact_date <= periods.ly_to_date_end
            )
    inner join slices on deal_days.opportunity_id = slices.opportunity_id
    group by
        periods.period_type,
        periods.period_start_date,
        slices.dimension_type,
        slices.dimension_value
),

-- The closed-won target of each quarter, spread over its days.
daily_targets as (
    select
        calendar.date_day,
        targets.dimension_type,
        targets.dimension_value,
        cast(targets.target_amount as {{ type_double() }})
        / calendar.days_in_fiscal_quarter as target_day
    from {{ ref('stg_plan__targets') }} as targets
    inner join calendar
        on targets.fiscal_period = calendar.fiscal_quarter_label
    where
        targets.metric = 'closed_won_acv'
        and targets.dimension_type in ('total', 'segment', 'region')
),

period_targets as (
    select
        periods.period_type,
        periods.period_start_date,
        daily_targets.dimension_type,
        daily_targets.dimension_value,
        sum(daily_targets.target_day) as target_period,
        sum(
            case
                when daily_targets.date_day <= periods.to_date_end
                    then daily_targets.target_day
                else 0
            end
        ) as target_to_date
    from periods
    inner join daily_targets
        on
            periods.period_start_date <= daily_targets.date_day
            and periods.period_end_date >= daily_targets.date_day
    group by
        periods.period_type,
        periods.period_start_date,
        daily_targets.dimension_type,
        daily_targets.dimension_value
),

fixed_slices as (
    select
        dimension_type,
        dimension_value
    from facts
    where dimension_type in ('total', 'segment', 'region')
    union
    select
        dimension_type,
        dimension_value
    from period_targets
    union
    select
        'total' as dimension_type,
        'total' as dimension_value
),

-- Total, segment and region on every period; owners and teams only where
-- they have something to rank.
period_slices as (
    select
        periods.period_type,
        periods.period_start_date,
        fixed_slices.dimension_type,
        fixed_slices.dimension_value
    from periods
    cross join fixed_slices
    union
    select
        period_type,
        period_start_date,
        dimension_type,
        dimension_value
    from facts
    where dimension_type in ('owner', 'team')
),

measured as (
    select
        periods.*,
        period_slices.dimension_type,
        period_slices.dimension_value,
        {%- for column, source, shared, last_year in fact_sums %}
            coalesce(facts.{{ column }}, 0) as {{ column }},
        {%- endfor %}
        period_targets.target_period,
        period_targets.target_to_date,
        row_number() over (
            partition by
                periods.period_type,
                periods.period_start_date,
                period_slices.dimension_type
            order by
                coalesce(facts.closed_won_acv, 0) desc,
                period_slices.dimension_value
        ) as closed_won_order,
        row_number() over (
            partition by
                periods.period_type,
                periods.period_start_date,
                period_slices.dimension_type
            order by
                coalesce(facts.pipeline_generated, 0) desc,
                period_slices.dimension_value
        ) as pipeline_generated_order
    from period_slices
    inner join periods
        on
            period_slices.period_type = periods.period_type
            and period_slices.period_start_date = periods.period_start_date
    left join facts
        on
            period_slices.period_type = facts.period_type
            and period_slices.period_start_date = facts.period_start_date
            and period_slices.dimension_type = facts.dimension_type
            and period_slices.dimension_value = facts.dimension_value
    left join period_targets
        on
            period_slices.period_type = period_targets.period_type
            and period_slices.period_start_date
            = period_targets.period_start_date
            and period_slices.dimension_type = period_targets.dimension_type
            and period_slices.dimension_value = period_targets.dimension_value
),

ranked as (
    select
        *,
        case
            when dimension_type in ('owner', 'team') and closed_won_acv > 0
                then closed_won_order
        end as rank_closed_won,
        case
            when
                dimension_type in ('owner', 'team') and pipeline_generated > 0
                then pipeline_generated_order
        end as rank_pipeline_generated
    from measured
),

shown as (
    select * from ranked
    where
        dimension_type not in ('owner', 'team')
        or rank_closed_won <= {{ top_n }}
        or rank_pipeline_generated <= {{ top_n }}
),

quarter_outlook as (
    select
        matrix.dimension_type,
        matrix.dimension_value,
        matrix.forecast_commit,
        matrix.forecast_best_case,
        matrix.open_pipeline,
        matrix.coverage_remaining
    from {{ ref('mart_apm_matrix') }} as matrix
    inner join as_of_day
        on matrix.period_start_date = as_of_day.fiscal_quarter_start_date
    where
        matrix.as_of_date = {{ as_of_date() }}
        and matrix.dimension_type in ('total', 'segment', 'region')
),

final as (
    select
        {{ as_of_date() }} as as_of_date,
        shown.period_type,
        shown.period_label,
        shown.period_start_date,
        shown.period_end_date,
        shown.to_date_end,
        shown.is_current,
        shown.dimension_type,
        shown.dimension_value,
        case
            when shown.dimension_type = 'owner'
                then coalesce(owners.user_name, shown.dimension_value)
            when shown.dimension_type = 'team'
                then coalesce(owners.user_name, 'no manager')
            else shown.dimension_value
        end as dimension_label,
        cast(shown.rank_closed_won as integer) as rank_closed_won,
        cast(shown.rank_pipeline_generated as integer)
            as rank_pipeline_generated,
        cast(shown.closed_won_acv as {{ type_double() }}) as closed_won_acv,
        cast(shown.closed_won_acv_ly as {{ type_double() }})
            as closed_won_acv_ly,
        cast(
            (shown.closed_won_acv - shown.closed_won_acv_ly)
            / nullif(shown.closed_won_acv_ly, 0) as {{ type_double() }}
        ) as closed_won_yoy_pct,
        cast(shown.target_period as {{ type_double() }}) as target_period,
        cast(shown.target_to_date as {{ type_double() }}) as target_to_date,
        cast(
            shown.closed_won_acv / nullif(shown.target_period, 0)
            as {{ type_double() }}
        ) as attainment_pct,
        cast(
            shown.closed_won_acv / nullif(shown.target_to_date, 0)
            as {{ type_double() }}
        ) as pacing,
        case
            when shown.days_elapsed < {{ var('rag_guard_days') }} then 'grey'
            when coalesce(shown.target_to_date, 0) <= 0 then 'grey'
            when
                shown.closed_won_acv / shown.target_to_date >= {{ green }}
                then 'green'
            when
                shown.closed_won_acv / shown.target_to_date >= {{ yellow }}
                then 'yellow'
            else 'red'
        end as rag_status,
        cast(shown.won_count as bigint) as won_count,
        cast(shown.closed_count as bigint) as closed_count,
        cast(shown.won_count as {{ type_double() }})
        / nullif(shown.closed_count, 0) as win_rate_count,
        cast(shown.won_positive_count as bigint) as won_positive_count,
        cast(shown.won_positive_acv as {{ type_double() }})
            as won_positive_acv,
        cast(shown.won_positive_acv as {{ type_double() }})
        / nullif(shown.won_positive_count, 0) as average_deal_size,
        cast(shown.deals_generated as bigint) as deals_generated,
        cast(shown.pipeline_generated as {{ type_double() }})
            as pipeline_generated,
        cast(shown.pipeline_generated_ly as {{ type_double() }})
            as pipeline_generated_ly,
        cast(
            (shown.pipeline_generated - shown.pipeline_generated_ly)
            / nullif(shown.pipeline_generated_ly, 0) as {{ type_double() }}
        ) as pipeline_generated_yoy_pct,
        cast(quarter_outlook.forecast_commit as {{ type_double() }})
            as quarter_forecast_commit,
        cast(quarter_outlook.forecast_best_case as {{ type_double() }})
            as quarter_forecast_best_case,
        cast(quarter_outlook.open_pipeline as {{ type_double() }})
            as quarter_open_pipeline,
        cast(quarter_outlook.coverage_remaining as {{ type_double() }})
            as quarter_coverage_remaining
    from shown
    left join owners
        on
            shown.dimension_type in ('owner', 'team')
            and shown.dimension_value = owners.user_id
    left join quarter_outlook
        on
            shown.is_current
            and shown.dimension_type = quarter_outlook.dimension_type
            and shown.dimension_value = quarter_outlook.dimension_value
)

select * from final
