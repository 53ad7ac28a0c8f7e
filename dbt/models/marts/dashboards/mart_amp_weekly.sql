{#- AMP, Activities -> Meetings -> Pipeline (docs/metrics.md §3.22): per
    owner and review week (weeks start on weekly_review_weekday and belong to
    the fiscal quarter of their first day), from amp_history_quarters fiscal
    quarters before the current one up to the week of as_of_date.
    Activities: completed tasks by kind (call, email, other) and held events
    that are not meetings (other), on their activity day. Meetings held:
    events of a type in funnel_meeting_event_types that started by the end of
    as_of_date; a first meeting is a person's first held meeting with anyone
    (a lead and its contact are one person). Opportunities created and
    pipeline generated (deals entering the qualified band that week), at the
    ACV and owner as known at the end of the week (as_of_date for the current
    week), per pipeline source and for 'all'.
    Only records created by the end of as_of_date count (later activities are
    not yet known); deleted records are gone at staging; activities dated
    after as_of_date are not done yet. Owners without a sales role
    (integration and automation users, owners missing from the User extract)
    are left out; inactive owners keep their weeks. Team (manager), role and
    total rows add up the owner rows; ratios are ratios of those sums. Rows
    with a pipeline source other than 'all' carry only the deal measures.
    One row per week_start_date x dimension_type x dimension_value x
    pipeline_source. -#}
{%- set meeting_types = var('funnel_meeting_event_types') -%}
{%- set history_quarters = var('amp_history_quarters') | int -%}
{%- set end_of_as_of = dbt.dateadd('day', 1, as_of_date()) -%}
{%- set base_measures = [
    'activities_call', 'activities_email', 'activities_other', 'activities',
    'meetings_held', 'first_meetings', 'opportunities_created',
    'deals_generated', 'pipeline_generated'] -%}
{%- set rolled_measures = [
    'activities', 'meetings_held', 'first_meetings', 'opportunities_created',
    'pipeline_generated'] -%}
{%- set windows = {'4w': 3, '13w': 12} -%}
{%- set ratios = [] -%}
{%- for suffix in ['', '_4w', '_13w', '_qtd'] -%}
    {%- do ratios.append((
        'meetings_per_opportunity' ~ suffix,
        'meetings_held' ~ suffix, 'opportunities_created' ~ suffix)) -%}
    {%- do ratios.append((
        'pipeline_per_meeting' ~ suffix,
        'pipeline_generated' ~ suffix, 'meetings_held' ~ suffix)) -%}
    {%- do ratios.append((
        'activities_per_opportunity' ~ suffix,
        'activities' ~ suffix, 'opportunities_created' ~ suffix)) -%}
{%- endfor -%}
{%- set measures = base_measures.copy() -%}
{%- for measure in rolled_measures -%}
    {%- for suffix in ['4w', '13w', 'qtd'] -%}
        {%- do measures.append(measure ~ '_' ~ suffix) -%}
    {%- endfor -%}
{%- endfor -%}
with calendar as (
    select * from {{ ref('dim_date') }}
),

as_of_day as (
    select
        review_week_start_date as as_of_week_start_date,
        cast(
            {{ dbt.dateadd(
                'month', -3 * history_quarters, 'fiscal_quarter_start_date'
            ) }} as date
        ) as history_start_date
    from calendar
    where date_day = {{ as_of_date() }}
),

-- The weeks shown, and 12 before them so the 13-week sums are whole.
weeks as (
    select
        calendar.date_day as week_start_date,
        calendar.fiscal_quarter_label as fiscal_period,
        calendar.fiscal_quarter_start_date,
        calendar.fiscal_quarter_start_date
        >= as_of_day.history_start_date as is_shown,
        cast(
            least(
                {{ dbt.dateadd('day', 6, 'calendar.date_day') }},
                {{ as_of_date() }}
            ) as date
        ) as week_end_date
    from calendar
    cross join as_of_day
    where
        calendar.date_day = calendar.review_week_start_date
        and calendar.date_day <= as_of_day.as_of_week_start_date
        and calendar.date_day >= {{ dbt.dateadd(
            'day', -7 * 12, 'as_of_day.history_start_date'
        ) }}
),

owners as (
    select
        user_id,
        user_name,
        is_active,
        sales_role,
        region,
        manager_id
    from {{ ref('dim_user') }}
    where sales_role is not null
),

activities as (
    select
        owner_id,
        coalesce(activity_date, cast(created_at as date)) as activity_day,
        case
            when lower(coalesce(task_subtype, type)) = 'call' then 'call'
            when lower(coalesce(task_subtype, type)) = 'email' then 'email'
            else 'other'
        end as activity_kind
    from {{ ref('stg_crm__tasks') }}
    where
        status = 'Completed'
        and created_at < {{ end_of_as_of }}
        and coalesce(activity_date, cast(created_at as date))
        <= {{ as_of_date() }}
    union all
    select
        owner_id,
        cast(start_date_time as date) as activity_day,
        'other' as activity_kind
    from {{ ref('stg_crm__events') }}
    where
        created_at < {{ end_of_as_of }}
        and start_date_time < {{ end_of_as_of }}
        {%- if meeting_types %}
            and coalesce(type, '') not in (
                {%- for type in meeting_types %}
                    '{{ type }}'{% if not loop.last %}, {% endif %}
                {%- endfor %}
            )
        {%- endif %}
),

identities as (
    select
        identity_id,
        person_id
    from {{ ref('int_funnel__identities') }}
    where identity_type in ('lead', 'contact')
),

meetings as (
    select
        events.owner_id,
        cast(events.start_date_time as date) as meeting_day,
        case
            when events.who_id is not null
                then
                    row_number() over (
                        partition by
                            coalesce(identities.person_id, events.who_id)
                        order by events.start_date_time, events.event_id
                    )
        end as person_meeting_no
    from {{ ref('stg_crm__events') }} as events
    left join identities on events.who_id = identities.identity_id
    where
        events.created_at < {{ end_of_as_of }}
        and events.start_date_time < {{ end_of_as_of }}
        {%- if meeting_types %}
            and events.type in (
                {%- for type in meeting_types %}
                    '{{ type }}'{% if not loop.last %}, {% endif %}
                {%- endfor %}
            )
        {%- else %}
            and false
        {%- endif %}
),

-- A deal's creation and its entry into pipeline, in the week they fell in.
deal_steps as (
    select
        opportunity_id,
        pipeline_source,
        created_date as step_date,
        'created' as step
    from {{ ref('fct_opportunity') }}
    where not is_excluded
    union all
    select
        opportunity_id,
        pipeline_source,
        pipeline_created_date as step_date,
        'generated' as step
    from {{ ref('fct_opportunity') }}
    where not is_excluded and pipeline_created_date is not null
),

-- The owner and ACV as known at the end of the week.
deal_weeks as (
    select
        owners_then.owner_id,
        weeks.week_start_date,
        coalesce(deal_steps.pipeline_source, 'unknown') as pipeline_source,
        case when deal_steps.step = 'created' then 1 else 0 end
            as is_created,
        case when deal_steps.step = 'generated' then 1 else 0 end
            as is_generated,
        case
            when deal_steps.step = 'generated'
                then coalesce(versions.acv_corp, 0)
            else 0
        end as acv_generated
    from deal_steps
    inner join calendar on deal_steps.step_date = calendar.date_day
    inner join weeks
        on calendar.review_week_start_date = weeks.week_start_date
    inner join {{ ref('fct_opportunity_version') }} as versions
        on
            deal_steps.opportunity_id = versions.opportunity_id
            and {{ version_valid_on('versions', 'weeks.week_end_date') }}
    inner join {{ ref('int_opportunity_owners') }} as owners_then
        on
            deal_steps.opportunity_id = owners_then.opportunity_id
            and {{ version_valid_on('owners_then', 'weeks.week_end_date') }}
),

activity_facts as (
    select
        activities.owner_id,
        calendar.review_week_start_date as week_start_date,
        sum(case when activities.activity_kind = 'call' then 1 else 0 end)
            as activities_call,
        sum(case when activities.activity_kind = 'email' then 1 else 0 end)
            as activities_email,
        sum(case when activities.activity_kind = 'other' then 1 else 0 end)
            as activities_other,
        count(*) as activities
    from activities
    inner join calendar on activities.activity_day = calendar.date_day
    group by activities.owner_id, calendar.review_week_start_date
),

meeting_facts as (
    select
        meetings.owner_id,
        calendar.review_week_start_date as week_start_date,
        count(*) as meetings_held,
        sum(case when meetings.person_meeting_no = 1 then 1 else 0 end)
            as first_meetings
    from meetings
    inner join calendar on meetings.meeting_day = calendar.date_day
    group by meetings.owner_id, calendar.review_week_start_date
),

deal_facts as (
    select
        owner_id,
        week_start_date,
        pipeline_source,
        sum(is_created) as opportunities_created,
        sum(is_generated) as deals_generated,
        sum(acv_generated) as pipeline_generated
    from deal_weeks
    group by owner_id, week_start_date, pipeline_source
    union all
    select
        owner_id,
        week_start_date,
        'all' as pipeline_source,
        sum(is_created) as opportunities_created,
        sum(is_generated) as deals_generated,
        sum(acv_generated) as pipeline_generated
    from deal_weeks
    group by owner_id, week_start_date
),

-- Every owner x source that has anything in the weeks, on every week, so
-- the rolling sums run over weeks with nothing too.
owner_sources as (
    select distinct
        facts.owner_id,
        facts.pipeline_source
    from deal_facts as facts
    inner join weeks on facts.week_start_date = weeks.week_start_date
    union
    select distinct
        facts.owner_id,
        'all' as pipeline_source
    from activity_facts as facts
    inner join weeks on facts.week_start_date = weeks.week_start_date
    union
    select distinct
        facts.owner_id,
        'all' as pipeline_source
    from meeting_facts as facts
    inner join weeks on facts.week_start_date = weeks.week_start_date
),

owner_weeks as (
    select
        weeks.*,
        owners.user_id as owner_id,
        owners.user_name as owner_name,
        owners.is_active as owner_is_active,
        owners.sales_role,
        owners.region,
        owners.manager_id,
        owner_sources.pipeline_source,
        -- activity measures on the 'all' rows only
        {%- for facts, measure in [
            ('activity_facts', 'activities_call'),
            ('activity_facts', 'activities_email'),
            ('activity_facts', 'activities_other'),
            ('activity_facts', 'activities'),
            ('meeting_facts', 'meetings_held'),
            ('meeting_facts', 'first_meetings')] %}
            case
                when owner_sources.pipeline_source = 'all'
                    then coalesce({{ facts }}.{{ measure }}, 0)
            end as {{ measure }},
        {%- endfor %}
        coalesce(deal_facts.opportunities_created, 0) as opportunities_created,
        coalesce(deal_facts.deals_generated, 0) as deals_generated,
        coalesce(deal_facts.pipeline_generated, 0) as pipeline_generated
    from owner_sources
    inner join owners on owner_sources.owner_id = owners.user_id
    cross join weeks
    left join activity_facts
        on
            owner_sources.owner_id = activity_facts.owner_id
            and weeks.week_start_date = activity_facts.week_start_date
    left join meeting_facts
        on
            owner_sources.owner_id = meeting_facts.owner_id
            and weeks.week_start_date = meeting_facts.week_start_date
    left join deal_facts
        on
            owner_sources.owner_id = deal_facts.owner_id
            and owner_sources.pipeline_source = deal_facts.pipeline_source
            and weeks.week_start_date = deal_facts.week_start_date
),

rolled as (
    select
        owner_weeks.*,
        {%- for measure in rolled_measures %}
            {%- for suffix, preceding in windows.items() %}
                sum({{ measure }}) over (
                    partition by
                        owner_weeks.owner_id, owner_weeks.pipeline_source
                    order by owner_weeks.week_start_date
                    rows between {{ preceding }} preceding and current row
                ) as {{ measure }}_{{ suffix }},
            {%- endfor %}
            sum({{ measure }}) over (
                partition by
                    owner_weeks.owner_id,
                    owner_weeks.pipeline_source,
                    owner_weeks.fiscal_quarter_start_date
                order by owner_weeks.week_start_date
                rows between unbounded preceding and current row
            ) as {{ measure }}_qtd
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from owner_weeks
),

shown as (
    select * from rolled
    where is_shown
),

levels as (
    select
        week_start_date,
        week_end_date,
        fiscal_period,
        'owner' as dimension_type,
        owner_id as dimension_value,
        owner_name as dimension_label,
        owner_id,
        owner_is_active,
        sales_role,
        manager_id,
        region,
        pipeline_source,
        {%- for measure in measures %}
            {{ measure }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from shown
    {%- for level, key in [
        ('team', "coalesce(shown.manager_id, 'none')"),
        ('role', 'shown.sales_role'),
        ('total', "'total'")] %}
        union all
        select
            shown.week_start_date,
            shown.week_end_date,
            shown.fiscal_period,
            '{{ level }}' as dimension_type,
            {{ key }} as dimension_value,
            {%- if level == 'team' %}
                coalesce(max(managers.user_name), 'no manager')
            {%- else %}
                {{ key }}
            {%- endif %} as dimension_label,
            cast(null as {{ dbt.type_string() }}) as owner_id,
            cast(null as boolean) as owner_is_active,
            cast(null as {{ dbt.type_string() }}) as sales_role,
            cast(null as {{ dbt.type_string() }}) as manager_id,
            cast(null as {{ dbt.type_string() }}) as region,
            shown.pipeline_source,
            {%- for measure in measures %}
                sum(shown.{{ measure }}) as {{ measure }}
                {%- if not loop.last %},{% endif %}
            {%- endfor %}
        from
            shown
        {%- if level == 'team' %}
            left join {{ ref('dim_user') }} as managers
                on shown.manager_id = managers.user_id
        {%- endif %}
        group by
            shown.week_start_date,
            shown.week_end_date,
            shown.fiscal_period,
            {%- if level != 'total' %}
                {{ key }},
            {%- endif %}
            shown.pipeline_source
    {%- endfor %}
),

final as (
    select
        {{ as_of_date() }} as as_of_date,
        week_start_date,
        week_end_date,
        week_end_date < {{ dbt.dateadd('day', 6, 'week_start_date') }}
            as is_partial_week,
        fiscal_period,
        dimension_type,
        dimension_value,
        dimension_label,
        owner_id,
        owner_is_active,
        sales_role,
        manager_id,
        region,
        pipeline_source,
        {%- for measure in measures %}
            {%- if measure.startswith('pipeline_generated') %}
                cast({{ measure }} as {{ type_double() }}) as {{ measure }},
            {%- else %}
                cast({{ measure }} as bigint) as {{ measure }},
            {%- endif %}
        {%- endfor %}
        {%- for alias, numerator, denominator in ratios %}
            cast({{ numerator }} as {{ type_double() }})
            / nullif({{ denominator }}, 0) as {{ alias }}
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from levels
)

select * from final
