{#- What each marketing lever and channel cost and produced per fiscal quarter
    and lead source (docs/metrics.md §3.18, §3.19): the table a CMO brings to
    the pipeline council. Levers and channels are those of each campaign's type
    (dim_campaign); deals credited to no campaign are the lever
    'unattributed', so the sourced pipeline and won ACV of every model add up
    over the levers to total pipeline generation and bookings. lead_source is
    the person's (responses, MQLs) or the deal's (pipeline, won ACV);
    lead_source 'all' is every lead source, counted again from the base rows
    (people and deals once). Cost is spent on campaigns, not lead sources: it
    is on the 'all' rows only (never on 'unattributed'), in the quarter of each
    campaign's start date, as are cost per pipeline dollar (actual cost / sourced pipeline of the
    attribution_reporting_model) and ROI per model ((won ACV - actual cost) /
    actual cost, null when the cost is 0). Influenced pipeline counts a deal
    once per row, so it does not add up across levers.
    One row per fiscal_period x marketing_lever x marketing_channel x
    lead_source. -#}
{%- set models = attribution_models() -%}
{%- set reporting_model = var('attribution_reporting_model') -%}
{#- Cost belongs to campaigns: the 'all' rows of a lever carry it; lead-source
    rows and the unattributed lever (no campaign) have none. -#}
{%- set carries_cost -%}
    keys.lead_source = 'all' and keys.marketing_lever <> 'unattributed'
{%- endset -%}
with campaigns as (
    select
        campaign_id,
        marketing_lever,
        marketing_channel,
        start_date,
        actual_cost,
        budgeted_cost
    from {{ ref('dim_campaign') }}
),

calendar as (
    select
        date_day,
        fiscal_quarter_label,
        fiscal_quarter_start_date
    from {{ ref('dim_date') }}
),

persons as (
    select
        person_id,
        coalesce(lead_source, '(none)') as lead_source
    from {{ ref('dim_person') }}
),

attribution as (
    select
        attribution.*,
        coalesce(campaigns.marketing_lever, 'unattributed') as marketing_lever,
        coalesce(campaigns.marketing_channel, 'unattributed')
            as marketing_channel
    from {{ ref('fct_campaign_attribution') }} as attribution
    left join campaigns
        on
            attribution.campaign_id = campaigns.campaign_id
            and not attribution.is_unattributed
),

person_events as (
    select
        memberships.campaign_id,
        'response' as measure,
        memberships.person_id,
        cast(memberships.responded_at as date) as event_date
    from {{ ref('int_campaign__memberships') }} as memberships
    where memberships.responded_at is not null
    union all
    select
        campaign_id,
        stage as measure,
        person_id,
        entered_date as event_date
    from {{ ref('int_campaign__response_outcomes') }}
    where stage = 'mql'
),

-- Base rows with their lever, channel, quarter and lead source; each again
-- with lead source 'all'.
people as (
    select
        campaigns.marketing_lever,
        campaigns.marketing_channel,
        calendar.fiscal_quarter_label as fiscal_period,
        persons.lead_source,
        events.measure,
        events.person_id
    from person_events as events
    inner join campaigns on events.campaign_id = campaigns.campaign_id
    inner join persons on events.person_id = persons.person_id
    inner join calendar on events.event_date = calendar.date_day
),

people_all as (
    select * from people
    union all
    select
        marketing_lever,
        marketing_channel,
        fiscal_period,
        'all' as lead_source,
        measure,
        person_id
    from people
),

influenced as (
    select distinct
        campaigns.marketing_lever,
        campaigns.marketing_channel,
        calendar.fiscal_quarter_label as fiscal_period,
        coalesce(deals.lead_source, '(none)') as lead_source,
        deals.opportunity_id,
        deals.pipeline_acv_corp
    from {{ ref('fct_campaign_touch') }} as touches
    inner join campaigns on touches.campaign_id = campaigns.campaign_id
    inner join attribution as deals
        on
            touches.opportunity_id = deals.opportunity_id
            and deals.attribution_model = 'primary_source'
    inner join calendar on deals.pipeline_created_date = calendar.date_day
),

influenced_all as (
    select * from influenced
    union all
    select distinct
        marketing_lever,
        marketing_channel,
        fiscal_period,
        'all' as lead_source,
        opportunity_id,
        pipeline_acv_corp
    from influenced
),

amounts as (
    select
        campaigns.marketing_lever,
        campaigns.marketing_channel,
        calendar.fiscal_quarter_label as fiscal_period,
        'all' as lead_source,
        'actual_cost' as measure,
        campaigns.actual_cost as amount
    from campaigns
    inner join calendar on campaigns.start_date = calendar.date_day
    union all
    select
        campaigns.marketing_lever,
        campaigns.marketing_channel,
        calendar.fiscal_quarter_label as fiscal_period,
        'all' as lead_source,
        'budgeted_cost' as measure,
        campaigns.budgeted_cost as amount
    from campaigns
    inner join calendar on campaigns.start_date = calendar.date_day
    union all
    select
        attribution.marketing_lever,
        attribution.marketing_channel,
        calendar.fiscal_quarter_label as fiscal_period,
        coalesce(attribution.lead_source, '(none)') as lead_source,
        'sourced_pipeline_' || attribution.attribution_model as measure,
        attribution.credited_pipeline_corp as amount
    from attribution
    inner join calendar on attribution.pipeline_created_date = calendar.date_day
    union all
    select
        attribution.marketing_lever,
        attribution.marketing_channel,
        calendar.fiscal_quarter_label as fiscal_period,
        coalesce(attribution.lead_source, '(none)') as lead_source,
        'won_acv_' || attribution.attribution_model as measure,
        attribution.credited_won_acv_corp as amount
    from attribution
    inner join calendar on attribution.close_date = calendar.date_day
    where attribution.is_won
),

amounts_all as (
    select * from amounts
    union all
    select
        marketing_lever,
        marketing_channel,
        fiscal_period,
        'all' as lead_source,
        measure,
        amount
    from amounts
    where lead_source <> 'all'
),

person_measures as (
    select
        marketing_lever,
        marketing_channel,
        fiscal_period,
        lead_source,
        count(distinct case when measure = 'response' then person_id end)
            as responses,
        count(distinct case when measure = 'mql' then person_id end) as mqls
    from people_all
    group by marketing_lever, marketing_channel, fiscal_period, lead_source
),

deal_measures as (
    select
        marketing_lever,
        marketing_channel,
        fiscal_period,
        lead_source,
        count(*) as influenced_opportunities,
        sum(pipeline_acv_corp) as influenced_pipeline_corp
    from influenced_all
    group by marketing_lever, marketing_channel, fiscal_period, lead_source
),

amount_measures as (
    select
        marketing_lever,
        marketing_channel,
        fiscal_period,
        lead_source,
        {%- for model in models %}
            sum(
                case
                    when measure = 'sourced_pipeline_{{ model }}' then amount
                    else 0
                end
            ) as sourced_pipeline_{{ model }},
            sum(
                case when measure = 'won_acv_{{ model }}' then amount else 0 end
            ) as won_acv_{{ model }},
        {%- endfor %}
        sum(case when measure = 'actual_cost' then amount else 0 end)
            as actual_cost,
        sum(case when measure = 'budgeted_cost' then amount else 0 end)
            as budgeted_cost
    from amounts_all
    group by marketing_lever, marketing_channel, fiscal_period, lead_source
),

keys as (
    select
        marketing_lever,
        marketing_channel,
        fiscal_period,
        lead_source
    from person_measures
    union
    select
        marketing_lever,
        marketing_channel,
        fiscal_period,
        lead_source
    from deal_measures
    union
    select
        marketing_lever,
        marketing_channel,
        fiscal_period,
        lead_source
    from amount_measures
),

quarters as (
    select distinct
        fiscal_quarter_label,
        fiscal_quarter_start_date
    from calendar
),

final as (
    select
        keys.fiscal_period,
        quarters.fiscal_quarter_start_date as period_start_date,
        keys.marketing_lever,
        keys.marketing_channel,
        keys.lead_source,
        case
            when {{ carries_cost }} then amount_measures.actual_cost
        end as actual_cost,
        case
            when {{ carries_cost }} then amount_measures.budgeted_cost
        end as budgeted_cost,
        coalesce(person_measures.responses, 0) as responses,
        coalesce(person_measures.mqls, 0) as mqls,
        coalesce(deal_measures.influenced_opportunities, 0)
            as influenced_opportunities,
        coalesce(deal_measures.influenced_pipeline_corp, 0)
            as influenced_pipeline_corp,
        {%- for model in models %}
            coalesce(amount_measures.sourced_pipeline_{{ model }}, 0)
                as sourced_pipeline_{{ model }},
        {%- endfor %}
        {%- for model in models %}
            coalesce(amount_measures.won_acv_{{ model }}, 0)
                as won_acv_{{ model }},
        {%- endfor %}
        case
            when {{ carries_cost }}
                then
                    amount_measures.actual_cost
                    / nullif(
                        amount_measures.sourced_pipeline_{{ reporting_model }},
                        0
                    )
        end as cost_per_pipeline_dollar,
        {%- for model in models %}
            case
                when {{ carries_cost }}
                    then (
                        amount_measures.won_acv_{{ model }}
                        - amount_measures.actual_cost
                    )
                    / nullif(amount_measures.actual_cost, 0)
            end as roi_{{ model }}
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from keys
    left join quarters on keys.fiscal_period = quarters.fiscal_quarter_label
    left join person_measures
        on
            keys.marketing_lever = person_measures.marketing_lever
            and keys.marketing_channel = person_measures.marketing_channel
            and keys.fiscal_period = person_measures.fiscal_period
            and keys.lead_source = person_measures.lead_source
    left join deal_measures
        on
            keys.marketing_lever = deal_measures.marketing_lever
            and keys.marketing_channel = deal_measures.marketing_channel
            and keys.fiscal_period = deal_measures.fiscal_period
            and keys.lead_source = deal_measures.lead_source
    left join amount_measures
        on
            keys.marketing_lever = amount_measures.marketing_lever
            and keys.marketing_channel = amount_measures.marketing_channel
            and keys.fiscal_period = amount_measures.fiscal_period
            and keys.lead_source = amount_measures.lead_source
)

select * from final
