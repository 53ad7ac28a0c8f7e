{#- What each campaign, and each campaign with everything below it, cost,
    reached and produced (docs/metrics.md §3.18, §3.19), per fiscal quarter
    and over its lifetime. scope = campaign: the campaign itself; hierarchy:
    the campaign and all its sound descendants (int_campaign__closure), as
    Salesforce's Hierarchy* fields, with people and deals counted once however
    many child campaigns reached them. A campaign whose line has a hierarchy
    issue has campaign rows only and is in no ancestor's rollup.
    Each measure lands in the quarter of its own date: members (membership
    created), responses (first response), responded_members (memberships
    created in the period that responded by as_of_date: the response rate's
    numerator), MQLs and SQLs (a person reaching the stage within
    campaign_followup_days after responding: int_campaign__response_outcomes),
    influenced deals and pipeline
    (deals with a touch before their close, by the day they became pipeline),
    influenced won deals and ACV (by close), sourced pipeline and won ACV per
    attribution model (fct_campaign_attribution), and cost (the campaign's
    start date). Influenced counts and amounts are distinct deals: they do not
    add up across campaigns; sourced amounts do. Costs and ROI per model:
    (won ACV - actual cost) / actual cost, null when the cost is 0;
    roi_primary_source is Salesforce's campaign ROI, on ACV.
    One row per campaign_id x scope x fiscal_period ('lifetime' for the whole
    life). -#}
{%- set models = attribution_models() -%}
with campaigns as (
    select * from {{ ref('dim_campaign') }}
),

calendar as (
    select
        date_day,
        fiscal_quarter_label,
        fiscal_quarter_start_date
    from {{ ref('dim_date') }}
),

scopes as (
    select
        campaign_id as reporting_campaign_id,
        campaign_id,
        'campaign' as scope
    from campaigns
    union all
    select
        ancestor_campaign_id as reporting_campaign_id,
        campaign_id,
        'hierarchy' as scope
    from {{ ref('int_campaign__closure') }}
),

memberships as (
    select * from {{ ref('int_campaign__memberships') }}
),

followed_stages as (
    select
        campaign_id,
        stage as measure,
        person_id,
        entered_date as event_date
    from {{ ref('int_campaign__response_outcomes') }}
),

person_events as (
    select
        campaign_id,
        'member' as measure,
        person_id,
        cast(member_created_at as date) as event_date
    from memberships
    union all
    select
        campaign_id,
        'responded_member' as measure,
        person_id,
        cast(member_created_at as date) as event_date
    from memberships
    where responded_at is not null
    union all
    select
        campaign_id,
        'response' as measure,
        person_id,
        cast(responded_at as date) as event_date
    from memberships
    where responded_at is not null
    union all
    select * from followed_stages
),

deals as (
    select
        opportunity_id,
        pipeline_created_date,
        pipeline_acv_corp,
        is_won,
        close_date,
        won_acv_corp
    from {{ ref('fct_campaign_attribution') }}
    where attribution_model = 'primary_source'
),

influenced as (
    select distinct
        touches.campaign_id,
        touches.opportunity_id
    from {{ ref('fct_campaign_touch') }} as touches
    where touches.opportunity_id is not null
),

deal_events as (
    select
        influenced.campaign_id,
        'influenced_pipeline' as measure,
        deals.opportunity_id,
        deals.pipeline_created_date as event_date,
        deals.pipeline_acv_corp as amount
    from influenced
    inner join deals on influenced.opportunity_id = deals.opportunity_id
    where deals.pipeline_created_date is not null
    union all
    select
        influenced.campaign_id,
        'influenced_won' as measure,
        deals.opportunity_id,
        deals.close_date as event_date,
        deals.won_acv_corp as amount
    from influenced
    inner join deals on influenced.opportunity_id = deals.opportunity_id
    where deals.is_won
),

amount_events as (
    select
        campaign_id,
        'actual_cost' as measure,
        start_date as event_date,
        actual_cost as amount
    from campaigns
    union all
    select
        campaign_id,
        'budgeted_cost' as measure,
        start_date as event_date,
        budgeted_cost as amount
    from campaigns
    union all
    select
        campaign_id,
        'sourced_pipeline_' || attribution_model as measure,
        pipeline_created_date as event_date,
        credited_pipeline_corp as amount
    from {{ ref('fct_campaign_attribution') }}
    where not is_unattributed and pipeline_created_date is not null
    union all
    select
        campaign_id,
        'won_acv_' || attribution_model as measure,
        close_date as event_date,
        credited_won_acv_corp as amount
    from {{ ref('fct_campaign_attribution') }}
    where not is_unattributed and is_won
),

-- Every event in its fiscal quarter and in the campaign's lifetime.
{%- for kind in ['person', 'deal', 'amount'] %}

    {{ kind }}_periods as (
        select
            events.*,
            calendar.fiscal_quarter_label as fiscal_period
        from {{ kind }}_events as events
        inner join calendar on events.event_date = calendar.date_day
        union all
        select
            events.*,
            'lifetime' as fiscal_period
        from {{ kind }}_events as events
    ),
{%- endfor %}

-- People are counted in passes: one row per campaign, period and person with
-- a flag per measure, then one per ancestor, period and person, then sums.
-- Five count(distinct) aggregates over the hierarchy's fan-out held a hash
-- set each (4.2 GB alone at l; this takes 2.2 GB).
campaign_people as (
    select
        campaign_id,
        fiscal_period,
        person_id,
        max(case when measure = 'member' then 1 else 0 end) as is_member,
        max(case when measure = 'response' then 1 else 0 end) as has_response,
        max(case when measure = 'responded_member' then 1 else 0 end)
            as is_responded_member,
        max(case when measure = 'mql' then 1 else 0 end) as has_mql,
        max(case when measure = 'sql' then 1 else 0 end) as has_sql
    from person_periods
    group by campaign_id, fiscal_period, person_id
),

-- The hierarchy scope of a campaign with campaigns below it counts each
-- person once over all of them; for any other campaign it is the campaign
-- scope. Members sit on the lowest campaigns, so this second pass only
-- covers their ancestors.
parents as (
    select distinct ancestor_campaign_id as campaign_id
    from {{ ref('int_campaign__closure') }}
    where hierarchy_depth > 0
),

people_reached as (
    select
        closure.ancestor_campaign_id as campaign_id,
        people.fiscal_period,
        people.person_id,
        max(people.is_member) as is_member,
        max(people.has_response) as has_response,
        max(people.is_responded_member) as is_responded_member,
        max(people.has_mql) as has_mql,
        max(people.has_sql) as has_sql
    from campaign_people as people
    inner join {{ ref('int_campaign__closure') }} as closure
        on people.campaign_id = closure.campaign_id
    inner join parents on closure.ancestor_campaign_id = parents.campaign_id
    group by
        closure.ancestor_campaign_id,
        people.fiscal_period,
        people.person_id
),

campaign_people_sums as (
    select
        campaign_id,
        fiscal_period,
        cast(sum(is_member) as bigint) as members,
        cast(sum(has_response) as bigint) as responses,
        cast(sum(is_responded_member) as bigint) as responded_members,
        cast(sum(has_mql) as bigint) as mqls,
        cast(sum(has_sql) as bigint) as sqls
    from campaign_people
    group by campaign_id, fiscal_period
),

person_measures as (
    select
        campaign_id,
        'campaign' as scope,
        fiscal_period,
        members,
        responses,
        responded_members,
        mqls,
        sqls
    from campaign_people_sums
    union all
    select
        sums.campaign_id,
        'hierarchy' as scope,
        sums.fiscal_period,
        sums.members,
        sums.responses,
        sums.responded_members,
        sums.mqls,
        sums.sqls
    from campaign_people_sums as sums
    inner join {{ ref('int_campaign__closure') }} as closure
        on
            sums.campaign_id = closure.campaign_id
            and closure.ancestor_campaign_id = closure.campaign_id
    where sums.campaign_id not in (select parents.campaign_id from parents)
    union all
    select
        campaign_id,
        'hierarchy' as scope,
        fiscal_period,
        cast(sum(is_member) as bigint) as members,
        cast(sum(has_response) as bigint) as responses,
        cast(sum(is_responded_member) as bigint) as responded_members,
        cast(sum(has_mql) as bigint) as mqls,
        cast(sum(has_sql) as bigint) as sqls
    from people_reached
    group by campaign_id, fiscal_period
),

distinct_deals as (
    select distinct
        scopes.reporting_campaign_id as campaign_id,
        scopes.scope,
        events.fiscal_period,
        events.measure,
        events.opportunity_id,
        events.amount
    from deal_periods as events
    inner join scopes on events.campaign_id = scopes.campaign_id
),

deal_measures as (
    select
        campaign_id,
        scope,
        fiscal_period,
        count(case when measure = 'influenced_pipeline' then 1 end)
            as influenced_opportunities,
        sum(case when measure = 'influenced_pipeline' then amount else 0 end)
            as influenced_pipeline_corp,
        count(case when measure = 'influenced_won' then 1 end)
            as influenced_won_deals,
        sum(case when measure = 'influenced_won' then amount else 0 end)
            as influenced_won_acv_corp
    from distinct_deals
    group by campaign_id, scope, fiscal_period
),

amount_measures as (
    select
        scopes.reporting_campaign_id as campaign_id,
        scopes.scope,
        events.fiscal_period,
        {%- for model in models %}
            sum(
                case
                    when events.measure = 'sourced_pipeline_{{ model }}'
                        then events.amount
                    else 0
                end
            ) as sourced_pipeline_{{ model }},
            sum(
                case
                    when events.measure = 'won_acv_{{ model }}'
                        then events.amount
                    else 0
                end
            ) as won_acv_{{ model }},
        {%- endfor %}
        sum(
            case
                when events.measure = 'actual_cost' then events.amount else 0
            end
        ) as actual_cost,
        sum(
            case
                when events.measure = 'budgeted_cost' then events.amount else 0
            end
        ) as budgeted_cost
    from amount_periods as events
    inner join scopes on events.campaign_id = scopes.campaign_id
    group by scopes.reporting_campaign_id, scopes.scope, events.fiscal_period
),

-- The lifetime row of every campaign and scope, and a quarter row wherever
-- something happened.
keys as (
    select
        campaign_id,
        scope,
        fiscal_period
    from person_measures
    union
    select
        campaign_id,
        scope,
        fiscal_period
    from deal_measures
    union
    select
        campaign_id,
        scope,
        fiscal_period
    from amount_measures
),

quarters as (
    select distinct
        fiscal_quarter_label,
        fiscal_quarter_start_date
    from calendar
),

measured as (
    select
        keys.campaign_id,
        keys.scope,
        keys.fiscal_period,
        quarters.fiscal_quarter_start_date as period_start_date,
        coalesce(person_measures.members, 0) as members,
        coalesce(person_measures.responses, 0) as responses,
        coalesce(person_measures.responded_members, 0) as responded_members,
        coalesce(person_measures.mqls, 0) as mqls,
        coalesce(person_measures.sqls, 0) as sqls,
        coalesce(deal_measures.influenced_opportunities, 0)
            as influenced_opportunities,
        coalesce(deal_measures.influenced_pipeline_corp, 0)
            as influenced_pipeline_corp,
        coalesce(deal_measures.influenced_won_deals, 0) as influenced_won_deals,
        coalesce(deal_measures.influenced_won_acv_corp, 0)
            as influenced_won_acv_corp,
        {%- for model in models %}
            coalesce(amount_measures.sourced_pipeline_{{ model }}, 0)
                as sourced_pipeline_{{ model }},
            coalesce(amount_measures.won_acv_{{ model }}, 0)
                as won_acv_{{ model }},
        {%- endfor %}
        coalesce(amount_measures.budgeted_cost, 0) as budgeted_cost,
        coalesce(amount_measures.actual_cost, 0) as actual_cost
    from keys
    left join quarters on keys.fiscal_period = quarters.fiscal_quarter_label
    left join person_measures
        on
            keys.campaign_id = person_measures.campaign_id
            and keys.scope = person_measures.scope
            and keys.fiscal_period = person_measures.fiscal_period
    left join deal_measures
        on
            keys.campaign_id = deal_measures.campaign_id
            and keys.scope = deal_measures.scope
            and keys.fiscal_period = deal_measures.fiscal_period
    left join amount_measures
        on
            keys.campaign_id = amount_measures.campaign_id
            and keys.scope = amount_measures.scope
            and keys.fiscal_period = amount_measures.fiscal_period
),

final as (
    select
        measured.campaign_id,
        measured.scope,
        measured.fiscal_period,
        measured.period_start_date,
        campaigns.campaign_name,
        campaigns.campaign_type,
        campaigns.marketing_lever,
        campaigns.marketing_channel,
        campaigns.root_campaign_id,
        campaigns.hierarchy_level,
        measured.members,
        measured.responses,
        measured.responded_members,
        cast(measured.responded_members as {{ type_double() }})
        / nullif(measured.members, 0) as response_rate,
        case
            when
                measured.scope = 'campaign'
                then campaigns.expected_response_pct
        end
            as expected_response_pct,
        case
            when measured.scope = 'campaign'
                then
                    cast(measured.responded_members as {{ type_double() }})
                    / nullif(measured.members, 0)
                    / nullif(campaigns.expected_response_pct / 100.0, 0)
        end as response_rate_vs_expected,
        measured.mqls,
        measured.sqls,
        measured.influenced_opportunities,
        measured.influenced_pipeline_corp,
        measured.influenced_won_deals,
        measured.influenced_won_acv_corp,
        measured.budgeted_cost,
        measured.actual_cost,
        measured.actual_cost
        / nullif(measured.responses, 0) as cost_per_response,
        measured.actual_cost / nullif(measured.mqls, 0) as cost_per_mql,
        measured.actual_cost / nullif(measured.influenced_opportunities, 0)
            as cost_per_opportunity,
        measured.actual_cost / nullif(measured.influenced_won_deals, 0)
            as cost_per_won_deal,
        {%- for model in models %}
            measured.sourced_pipeline_{{ model }},
        {%- endfor %}
        {%- for model in models %}
            measured.won_acv_{{ model }},
        {%- endfor %}
        {%- for model in models %}
            (measured.won_acv_{{ model }} - measured.actual_cost)
            / nullif(measured.actual_cost, 0) as roi_{{ model }}
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from measured
    inner join campaigns on measured.campaign_id = campaigns.campaign_id
)

select * from final
