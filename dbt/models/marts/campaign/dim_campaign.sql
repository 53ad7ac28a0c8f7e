{#- Campaigns as known at the end of as_of_date (docs/metrics.md §3.18): their
    own fields, where they sit in the hierarchy (top-level campaign, level,
    path, what is wrong with the line) and the marketing lever and channel of
    their type (campaign_type_channel seed); a type the seed does not list (a
    container such as Strategy or Programme) takes the lever and channel
    shared by the campaigns below it, 'mixed' when they differ, 'unmapped'
    when none has one. Costs and expected revenue are in corporate currency,
    as Salesforce keeps them.
    *_in_hierarchy columns add the campaign's sound descendants, as Salesforce's
    Hierarchy* fields do. The cost of a campaign is reported in the fiscal
    quarter of its start date. One row per campaign. -#}
{%- set end_of_as_of = dbt.dateadd('day', 1, as_of_date()) -%}
with campaigns as (
    select * from {{ ref('stg_crm__campaigns') }}
    where created_at < {{ end_of_as_of }}
),

hierarchy as (
    select * from {{ ref('int_campaign_hierarchy') }}
),

levers as (
    select * from {{ ref('campaign_type_channel') }}
),

-- A type without a lever (a container such as Strategy or Programme) takes the
-- lever and channel its campaigns below share, or 'mixed' when they differ.
rollups as (
    select
        closure.ancestor_campaign_id as campaign_id,
        sum(descendants.budgeted_cost) as budgeted_cost_in_hierarchy,
        sum(descendants.actual_cost) as actual_cost_in_hierarchy,
        sum(descendants.expected_revenue) as expected_revenue_in_hierarchy,
        count(*) as campaigns_in_hierarchy,
        case
            when count(distinct levers.marketing_lever) > 1 then 'mixed'
            else min(levers.marketing_lever)
        end as descendant_lever,
        case
            when count(distinct levers.marketing_channel) > 1 then 'mixed'
            else min(levers.marketing_channel)
        end as descendant_channel
    from {{ ref('int_campaign__closure') }} as closure
    inner join campaigns as descendants
        on closure.campaign_id = descendants.campaign_id
    left join levers on descendants.type = levers.campaign_type
    group by closure.ancestor_campaign_id
),

final as (
    select
        campaigns.campaign_id,
        campaigns.name as campaign_name,
        campaigns.type as campaign_type,
        campaigns.status,
        campaigns.is_active,
        campaigns.start_date,
        campaigns.end_date,
        start_calendar.fiscal_quarter_label as start_fiscal_quarter,
        campaigns.owner_id,
        campaigns.parent_id as parent_campaign_id,
        hierarchy.root_campaign_id,
        roots.name as root_campaign_name,
        hierarchy.hierarchy_levels as hierarchy_level,
        hierarchy.campaign_path,
        hierarchy.hierarchy_issue,
        coalesce(levers.marketing_lever, rollups.descendant_lever, 'unmapped')
            as marketing_lever,
        coalesce(
            levers.marketing_channel, rollups.descendant_channel, 'unmapped'
        )
            as marketing_channel,
        cast(coalesce(campaigns.budgeted_cost, 0) as {{ type_double() }})
            as budgeted_cost,
        cast(coalesce(campaigns.actual_cost, 0) as {{ type_double() }})
            as actual_cost,
        cast(campaigns.expected_revenue as {{ type_double() }})
            as expected_revenue,
        campaigns.expected_response as expected_response_pct,
        campaigns.number_sent,
        cast(rollups.budgeted_cost_in_hierarchy as {{ type_double() }})
            as budgeted_cost_in_hierarchy,
        cast(rollups.actual_cost_in_hierarchy as {{ type_double() }})
            as actual_cost_in_hierarchy,
        cast(rollups.expected_revenue_in_hierarchy as {{ type_double() }})
            as expected_revenue_in_hierarchy,
        rollups.campaigns_in_hierarchy,
        campaigns.created_at
    from campaigns
    left join hierarchy on campaigns.campaign_id = hierarchy.campaign_id
    left join
        campaigns as roots
        on hierarchy.root_campaign_id = roots.campaign_id
    left join rollups on campaigns.campaign_id = rollups.campaign_id
    left join levers on campaigns.type = levers.campaign_type
    left join {{ ref('dim_date') }} as start_calendar
        on campaigns.start_date = start_calendar.date_day
)

select * from final
