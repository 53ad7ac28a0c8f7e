{#- Clean Your Room (docs/metrics.md §3.21): is each open deal kept up to
    date? Every open, non-excluded deal on each report day (as_of_date and the
    weekly review days of the current fiscal quarter up to it), in its state
    at the end of that day (fct_opportunity_version), with a flag per way it
    can be out of date and the list of those that hold:
    past_due (close date before the day), no_recent_activity (no completed task
    or held meeting on the deal, else on its account, in hygiene_activity_days
    up to the day), stuck (longer in its current stage than the stage's SLA),
    pushed_repeatedly (its close date moved to a later fiscal quarter twice or
    more since it became pipeline), missing_amount, missing_close_date,
    missing_next_step, amount_changed_7d, close_date_changed_7d and
    stage_regressed_7d (in the seven days up to the day). Tasks, meetings and
    NextStep are as the extract has them now (Salesforce keeps no history of
    them), among those created by the day. One row per report_date x
    opportunity_id. -#}
{%- set recent_days = var('hygiene_activity_days') | int -%}
{%- set sla_overrides = var('hygiene_stage_sla_days') or {} -%}
{%- set end_of_as_of = dbt.dateadd('day', 1, as_of_date()) -%}
{%- set reasons = [
    'past_due', 'no_recent_activity', 'stuck', 'pushed_repeatedly',
    'missing_amount', 'missing_close_date', 'missing_next_step',
    'amount_changed_7d', 'close_date_changed_7d', 'stage_regressed_7d'] -%}
{#- The flags of a change in the seven days up to the report day, and the
    column of `changes` each one reads. -#}
{%- set recent_changes = [
    ('amount_changed_7d', 'is_amount_change'),
    ('close_date_changed_7d', 'is_close_date_change'),
    ('stage_regressed_7d', 'is_regression')] -%}
with calendar as (
    select * from {{ ref('dim_date') }}
),

as_of_day as (
    select
        fiscal_quarter_start_date,
        cast(
            {{ dbt.dateadd(
                'month', -3 * var('hygiene_sla_quarters'), 'fiscal_quarter_start_date'
            ) }} as date
        ) as sla_window_start
    from calendar
    where date_day = {{ as_of_date() }}
),

report_days as (
    select calendar.date_day as report_date
    from calendar
    inner join as_of_day
        on
            calendar.fiscal_quarter_start_date
            = as_of_day.fiscal_quarter_start_date
    where
        calendar.date_day = {{ as_of_date() }}
        or (
            calendar.is_weekly_review_day
            and calendar.date_day < {{ as_of_date() }}
        )
),

versions as (
    select * from {{ ref('fct_opportunity_version') }}
),

states as (
    select
        report_days.report_date,
        versions.opportunity_id,
        versions.owner_id,
        versions.account_id,
        versions.stage_name,
        versions.close_date,
        versions.amount_local,
        versions.acv_corp
    from report_days
    inner join versions
        on {{ version_valid_on('versions', 'report_days.report_date') }}
    where versions.is_open and not versions.is_excluded
),

-- What each version of a deal open on a report day changed (a push:
-- int_opportunity_close_moves); only those deals, so the window sorts their
-- versions and not every deal's.
changed_versions as (
    select
        versions.*,
        lag(versions.amount_local) over (
            partition by versions.opportunity_id order by versions.version_no
        ) as previous_amount_local,
        lag(versions.stage_sort_order) over (
            partition by versions.opportunity_id order by versions.version_no
        ) as previous_stage_sort_order
    from versions
    where versions.opportunity_id in (select states.opportunity_id from states)
),

changes as (
    select
        versions.opportunity_id,
        versions.valid_from_date,
        moves.is_push,
        versions.version_no > 1
        and coalesce(versions.amount_local, -1)
        <> coalesce(versions.previous_amount_local, -1)
            as is_amount_change,
        versions.version_no > 1
        and coalesce(versions.close_date, cast('1900-01-01' as date))
        <> coalesce(moves.previous_close_date, cast('1900-01-01' as date))
            as is_close_date_change,
        versions.is_open
        and versions.stage_sort_order
        < versions.previous_stage_sort_order as is_regression
    from changed_versions as versions
    inner join {{ ref('int_opportunity_close_moves') }} as moves
        on
            versions.opportunity_id = moves.opportunity_id
            and versions.version_no = moves.version_no
),

change_counts as (
    select
        states.report_date,
        states.opportunity_id,
        sum(case when changes.is_push then 1 else 0 end) as push_count,
        {%- for flag, change in recent_changes %}
            max(
                case
                    when
                        changes.{{ change }}
                        and changes.valid_from_date
                        > {{ dbt.dateadd('day', -7, 'states.report_date') }}
                        then 1
                    else 0
                end
            ) as {{ flag }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from states
    inner join changes
        on
            states.opportunity_id = changes.opportunity_id
            and states.report_date >= changes.valid_from_date
    group by states.report_date, states.opportunity_id
),

-- Completed tasks and meetings, on a deal (what_id) and on an account.
activities as (
    select
        what_id,
        account_id,
        activity_date as activity_day,
        status = 'Completed' as is_done,
        cast(created_at as date) as created_day
    from {{ ref('stg_crm__tasks') }}
    where created_at < {{ end_of_as_of }} and activity_date is not null
    union all
    select
        what_id,
        account_id,
        cast(start_date_time as date) as activity_day,
        true as is_done,
        cast(created_at as date) as created_day
    from {{ ref('stg_crm__events') }}
    where created_at < {{ end_of_as_of }} and start_date_time is not null
),

open_accounts as (
    select distinct
        report_date,
        account_id
    from states
    where account_id is not null
),

-- The latest completed activity by each report day and whether one is planned
-- after it: on the deal, and on its account (where the deal has none).
{%- for name, keyed, key, activity_key in [
    ('deal_activity', 'states', 'opportunity_id', 'what_id'),
    ('account_activity', 'open_accounts', 'account_id', 'account_id')] %}

    {{ name }} as (
        select
            {{ keyed }}.report_date,
            {{ keyed }}.{{ key }},
            max(
                case
                    when
                        activities.is_done
                        and activities.activity_day <= {{ keyed }}.report_date
                        then activities.activity_day
                end
            ) as last_activity_date,
            max(
                case
                    when
                        activities.activity_day > {{ keyed }}.report_date
                        then 1
                    else 0
                end
            ) as has_future_activity
        from {{ keyed }}
        inner join activities
            on
                {{ keyed }}.{{ key }} = activities.{{ activity_key }}
                and {{ keyed }}.report_date >= activities.created_day
        group by {{ keyed }}.report_date, {{ keyed }}.{{ key }}
    ),
{%- endfor %}

intervals as (
    select * from {{ ref('fct_opportunity_stage_interval') }}
),

stage_sla_quantiles as (
    select
        intervals.stage_name,
        {{ quantiles_cont('intervals.days_in_stage', [0.75]) }}
            as days_quantiles
    from intervals
    inner join {{ ref('fct_opportunity') }} as won
        on intervals.opportunity_id = won.opportunity_id
    cross join as_of_day
    where
        won.is_won
        and not won.is_excluded
        and won.close_date >= as_of_day.sla_window_start
        and won.close_date < as_of_day.fiscal_quarter_start_date
        and intervals.exited_at is not null
    group by intervals.stage_name
),

stage_sla as (
    select
        stage_name,
        {{ array_element('days_quantiles', 1) }} as p75_days
    from stage_sla_quantiles
),

current_stage as (
    select
        states.report_date,
        states.opportunity_id,
        max(
            {{ dbt.datediff(
                'cast(intervals.entered_at as date)', 'states.report_date', 'day'
            ) }}
        ) as days_in_stage
    from states
    inner join intervals
        on
            states.opportunity_id = intervals.opportunity_id
            and states.stage_name = intervals.stage_name
            and cast(intervals.entered_at as date) <= states.report_date
            and (
                intervals.exited_at is null
                or cast(intervals.exited_at as date) > states.report_date
            )
    group by states.report_date, states.opportunity_id
),

flagged as (
    select
        states.report_date,
        states.report_date = {{ as_of_date() }} as is_as_of_date,
        states.opportunity_id,
        states.owner_id,
        owners.manager_id,
        states.account_id,
        opportunities.region,
        opportunities.segment,
        opportunities.pipeline_source,
        states.stage_name,
        states.close_date,
        cast(states.acv_corp as {{ type_double() }}) as acv_corp,
        coalesce(
            deal_activity.last_activity_date,
            account_activity.last_activity_date
        )
            as last_activity_date,
        case
            when deal_activity.last_activity_date is not null then 'opportunity'
            when account_activity.last_activity_date is not null then 'account'
        end as last_activity_on,
        coalesce(
            deal_activity.has_future_activity = 1
            or account_activity.has_future_activity = 1,
            false
        ) as has_future_activity,
        current_stage.days_in_stage,
        cast(
            {%- if sla_overrides %}
                case
                    {%- for stage, days in sla_overrides.items() %}
                        when states.stage_name = '{{ stage }}' then {{ days }}
                    {%- endfor %}
                    else stage_sla.p75_days
                end
            {%- else %}
                stage_sla.p75_days
            {%- endif %} as {{ type_double() }}
        ) as stage_sla_days,
        cast(coalesce(change_counts.push_count, 0) as integer) as push_count,
        coalesce(states.close_date < states.report_date, false) as past_due,
        coalesce(
            coalesce(
                deal_activity.last_activity_date,
                account_activity.last_activity_date
            )
            <= {{ dbt.dateadd('day', -recent_days, 'states.report_date') }},
            true
        ) as no_recent_activity,
        coalesce(change_counts.amount_changed_7d, 0) = 1 as amount_changed_7d,
        coalesce(change_counts.close_date_changed_7d, 0)
        = 1 as close_date_changed_7d,
        coalesce(change_counts.stage_regressed_7d, 0) = 1 as stage_regressed_7d,
        coalesce(states.amount_local, 0) <= 0 as missing_amount,
        states.close_date is null as missing_close_date,
        coalesce(trim(next_steps.next_step), '') = '' as missing_next_step
    from states
    left join {{ ref('fct_opportunity') }} as opportunities
        on states.opportunity_id = opportunities.opportunity_id
    left join {{ ref('stg_crm__opportunities') }} as next_steps
        on states.opportunity_id = next_steps.opportunity_id
    left join
        {{ ref('dim_user') }} as owners
        on states.owner_id = owners.user_id
    left join change_counts
        on
            states.report_date = change_counts.report_date
            and states.opportunity_id = change_counts.opportunity_id
    left join deal_activity
        on
            states.report_date = deal_activity.report_date
            and states.opportunity_id = deal_activity.opportunity_id
    left join account_activity
        on
            states.report_date = account_activity.report_date
            and states.account_id = account_activity.account_id
    left join current_stage
        on
            states.report_date = current_stage.report_date
            and states.opportunity_id = current_stage.opportunity_id
    left join stage_sla on states.stage_name = stage_sla.stage_name
),

final as (
    select
        flagged.*,
        coalesce(flagged.days_in_stage > flagged.stage_sla_days, false)
            as stuck,
        flagged.push_count >= 2 as pushed_repeatedly
    from flagged
),

scored as (
    select
        final.*,
        {%- for reason in reasons %}
            case when {{ reason }} then 1 else 0 end
            {%- if not loop.last %} +{% endif %}
        {%- endfor %} as risk_count
    from final
)

select
    scored.*,
    scored.risk_count > 0 as is_risky,
    nullif(concat_ws(
        ', ',
        {%- for reason in reasons %}
            case when {{ reason }} then '{{ reason }}' end
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    ), '') as risk_reasons
from scored
