{#- Every piece of evidence that a person reached a funnel stage
    (docs/metrics.md §3.14), as known at the end of as_of_date, with the funnel
    cycle it belongs to. A lead status moving into a recycle or disqualified
    status closes the cycle; a recycle re-enters the funnel at `known` in the
    next cycle. An opportunity belongs to the cycle it was created in; only the
    first one created in a cycle carries the person's opportunity and closed
    stages. -#}
{%- set engaging_types = var('funnel_engaging_activity_types') -%}
{%- set meeting_types = var('funnel_meeting_event_types') -%}
{%- set end_of_as_of = dbt.dateadd('day', 1, as_of_date()) -%}

with identities as (
    select * from {{ ref('int_funnel__identities') }}
),

lead_statuses as (
    select * from {{ ref('lead_status_funnel_stage') }}
),

leads as (
    select
        lead_id,
        is_converted,
        converted_date,
        converted_opportunity_id
    from {{ ref('stg_crm__leads') }}
),

person_known as (
    select
        person_id,
        min(created_at) as known_at
    from identities
    where identity_type <> 'visitor'
    group by person_id
),

known as (
    select
        person_id,
        'known' as stage,
        created_at as observed_at,
        false as is_date_only,
        case identity_type
            when 'prospect' then 'marketing.prospect'
            else 'crm.' || identity_type
        end as source
    from identities
    where identity_type in ('lead', 'contact', 'prospect')
),

-- A visit is anonymous only before the person was first known.
anonymous as (
    select
        visitors.person_id,
        'anonymous' as stage,
        visitors.created_at as observed_at,
        false as is_date_only,
        'marketing.visitor' as source
    from identities as visitors
    left join person_known
        on visitors.person_id = person_known.person_id
    where
        visitors.identity_type = 'visitor'
        and (
            person_known.known_at is null
            or visitors.created_at < person_known.known_at
        )
),

status_changes as (
    select
        identities.person_id,
        history.created_at,
        lead_statuses.funnel_stage,
        lead_statuses.is_recycle,
        lead_statuses.is_disqualified
    from {{ ref('stg_crm__lead_history') }} as history
    inner join identities
        on
            identities.identity_type = 'lead'
            and history.lead_id = identities.identity_id
    inner join lead_statuses
        on history.new_value = lead_statuses.lead_status
    where lower(history.field) = 'status'
),

statuses as (
    select
        person_id,
        case when is_recycle then 'known' else funnel_stage end as stage,
        created_at as observed_at,
        false as is_date_only,
        case
            when is_recycle then 'crm.lead_history.recycle'
            else 'crm.lead_history'
        end as source
    from status_changes
    where
        is_recycle
        or (not is_disqualified and funnel_stage <> 'known')
),

cycle_ends as (
    select
        person_id,
        created_at as ended_at
    from status_changes
    where is_recycle or is_disqualified
),

responses as (
    select
        person_id,
        'engaged' as stage,
        responded_at as observed_at,
        is_date_only,
        'crm.campaign_member' as source
    from {{ ref('int_funnel__responses') }}
),

activities as (
    select
        activity_id,
        prospect_id,
        activity_type,
        occurred_at,
        score_after,
        score_delta
    from {{ ref('stg_marketing__activities') }}
    where prospect_id is not null
),

engaging_activities as (
    select
        identities.person_id,
        'engaged' as stage,
        activities.occurred_at as observed_at,
        false as is_date_only,
        'marketing.activity' as source
    from activities
    inner join identities
        on
            identities.identity_type = 'prospect'
            and activities.prospect_id = identities.identity_id
    where activities.activity_type in (
        {%- for activity_type in engaging_types %}
            '{{ activity_type }}'{% if not loop.last %},{% endif %}
        {%- endfor %}
    )
),

scores as (
    select
        prospect_id,
        occurred_at,
        score_after,
        coalesce(
            lag(score_after) over (
                partition by prospect_id order by occurred_at, activity_id
            ),
            score_after - score_delta,
            0
        ) as score_before
    from activities
    where activity_type = 'score_change' and score_after is not null
),

-- MQL = the score crossing the threshold: old < threshold <= new.
score_crossings as (
    select
        identities.person_id,
        'mql' as stage,
        scores.occurred_at as observed_at,
        false as is_date_only,
        'marketing.activity.score' as source
    from scores
    inner join identities
        on
            identities.identity_type = 'prospect'
            and scores.prospect_id = identities.identity_id
    where
        scores.score_before < {{ var('mql_score_threshold') }}
        and scores.score_after >= {{ var('mql_score_threshold') }}
),

meetings as (
    {%- if meeting_types | length > 0 %}
        select
            identities.person_id,
            'sal' as stage,
            coalesce(
                events.start_date_time, cast(events.activity_date as timestamp)
            ) as observed_at,
            events.start_date_time is null as is_date_only,
            'crm.event' as source
        from {{ ref('stg_crm__events') }} as events
        inner join identities
            on
                identities.identity_type in ('lead', 'contact')
                and events.who_id = identities.identity_id
        where events.type in (
            {%- for event_type in meeting_types %}
                '{{ event_type }}'{% if not loop.last %},{% endif %}
            {%- endfor %}
        )
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as person_id,
        cast(null as {{ dbt.type_string() }}) as stage,
        cast(null as timestamp) as observed_at,
        false as is_date_only,
        cast(null as {{ dbt.type_string() }}) as source
    where false
    {%- endif %}
),

-- Salesforce keeps only the conversion day; a Qualified status change on the
-- same day wins over it (see fct_funnel_stage_event).
conversions as (
    select
        identities.person_id,
        'sql' as stage,
        cast(leads.converted_date as timestamp) as observed_at,
        true as is_date_only,
        'crm.lead.converted_date' as source
    from leads
    inner join identities
        on
            identities.identity_type = 'lead'
            and leads.lead_id = identities.identity_id
    where leads.is_converted and leads.converted_date is not null
),

person_observations as (
    select * from known
    union all
    select * from anonymous
    union all
    select * from statuses
    union all
    select * from responses
    union all
    select * from engaging_activities
    union all
    select * from score_crossings
    union all
    select * from meetings
    union all
    select * from conversions
),

person_opportunities as (
    select distinct
        identities.person_id,
        leads.converted_opportunity_id as opportunity_id
    from leads
    inner join identities
        on
            identities.identity_type = 'lead'
            and leads.lead_id = identities.identity_id
    where leads.converted_opportunity_id is not null

    union

    select distinct
        identities.person_id,
        contact_roles.opportunity_id
    from {{ ref('stg_crm__opportunity_contact_roles') }} as contact_roles
    inner join identities
        on
            identities.identity_type = 'contact'
            and contact_roles.contact_id = identities.identity_id
),

opportunity_starts as (
    select
        person_opportunities.person_id,
        milestones.opportunity_id,
        milestones.created_at
    from person_opportunities
    inner join {{ ref('int_funnel__opportunity_milestones') }} as milestones
        on person_opportunities.opportunity_id = milestones.opportunity_id
),

-- Cycle numbers: a running count of cycle ends per person. A cycle end sorts
-- before anything at the same instant, so a recycle's own `known` entry
-- opens the next cycle.
timeline as (
    select
        person_id,
        ended_at as event_at,
        0 as sort_rank,
        1 as ends_cycle,
        cast(null as {{ dbt.type_string() }}) as stage,
        cast(null as boolean) as is_date_only,
        cast(null as {{ dbt.type_string() }}) as source,
        cast(null as {{ dbt.type_string() }}) as opportunity_id
    from cycle_ends
    where ended_at < {{ end_of_as_of }}

    union all

    select
        person_id,
        observed_at as event_at,
        1 as sort_rank,
        0 as ends_cycle,
        stage,
        is_date_only,
        source,
        cast(null as {{ dbt.type_string() }}) as opportunity_id
    from person_observations
    where observed_at < {{ end_of_as_of }}

    union all

    select
        person_id,
        created_at as event_at,
        1 as sort_rank,
        0 as ends_cycle,
        cast(null as {{ dbt.type_string() }}) as stage,
        false as is_date_only,
        cast(null as {{ dbt.type_string() }}) as source,
        opportunity_id
    from opportunity_starts
),

-- Only people whose cycle ended at least once (under a tenth of them) need
-- the running count; sorting everyone's timeline for it took most of the
-- model's time.
recycled_persons as (
    select distinct person_id
    from cycle_ends
    where ended_at < {{ end_of_as_of }}
),

cycled as (
    select
        timeline.*,
        1 as cycle_no
    from timeline
    where
        timeline.person_id not in (
            select recycled_persons.person_id from recycled_persons
        )

    union all

    select
        timeline.*,
        cast(1 + sum(timeline.ends_cycle) over (
            partition by timeline.person_id
            order by timeline.event_at, timeline.sort_rank
            rows between unbounded preceding and current row
        ) as integer) as cycle_no
    from timeline
    where
        timeline.person_id in (
            select recycled_persons.person_id from recycled_persons
        )
),

cycle_opportunities as (
    select
        person_id,
        cycle_no,
        opportunity_id
    from (
        select
            person_id,
            cycle_no,
            opportunity_id,
            row_number() over (
                partition by person_id, cycle_no
                order by event_at, opportunity_id
            ) as opportunity_rank
        from cycled
        where opportunity_id is not null
    ) as ranked
    where opportunity_rank = 1
),

milestones as (
    select * from {{ ref('int_funnel__opportunity_milestones') }}
),

opportunity_observations as (
    select
        cycle_opportunities.person_id,
        cycle_opportunities.cycle_no,
        'opportunity' as stage,
        milestones.qualified_at as observed_at,
        false as is_date_only,
        milestones.source,
        milestones.opportunity_id
    from cycle_opportunities
    inner join milestones
        on cycle_opportunities.opportunity_id = milestones.opportunity_id
    where milestones.qualified_at is not null

    union all

    select
        cycle_opportunities.person_id,
        cycle_opportunities.cycle_no,
        case when milestones.is_won then 'closed_won' else 'closed_lost' end
            as stage,
        milestones.closed_at as observed_at,
        milestones.is_date_only_close as is_date_only,
        milestones.source,
        milestones.opportunity_id
    from cycle_opportunities
    inner join milestones
        on cycle_opportunities.opportunity_id = milestones.opportunity_id
    where
        milestones.closed_at is not null
        and milestones.closed_at < {{ end_of_as_of }}
        -- a deal lost before it ever qualified ends the person's funnel at
        -- sql; a win proves qualification (inferred when not observed)
        and (milestones.is_won or milestones.qualified_at is not null)
),

final as (
    select
        person_id,
        cycle_no,
        stage,
        event_at as observed_at,
        is_date_only,
        source,
        cast(null as {{ dbt.type_string() }}) as opportunity_id
    from cycled
    where stage is not null

    union all

    select * from opportunity_observations
)

select * from final
