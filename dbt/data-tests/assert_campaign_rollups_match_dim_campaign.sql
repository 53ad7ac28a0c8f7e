{{ config(meta={'dagster': {'ref': {'name': 'mart_campaign_performance'}}}) }}
-- A campaign's lifetime hierarchy cost in mart_campaign_performance equals
-- the cost dim_campaign rolls up over its sound descendants, and its own
-- lifetime cost equals its own: the quarter split and the scopes lose
-- nothing. A returned row is a campaign and scope whose cost differs.
with lifetime as (
    select
        campaign_id,
        scope,
        actual_cost
    from {{ ref('mart_campaign_performance') }}
    where fiscal_period = 'lifetime'
),

campaigns as (
    select * from {{ ref('dim_campaign') }}
)

select
    campaigns.campaign_id,
    lifetime.scope,
    lifetime.actual_cost,
    case
        when lifetime.scope = 'campaign' then campaigns.actual_cost
        else campaigns.actual_cost_in_hierarchy
    end as expected_cost
from campaigns
left join lifetime on campaigns.campaign_id = lifetime.campaign_id
where
    lifetime.campaign_id is null
    or abs(
        lifetime.actual_cost
        - case
            when lifetime.scope = 'campaign' then campaigns.actual_cost
            else campaigns.actual_cost_in_hierarchy
        end
    ) > 0.005
