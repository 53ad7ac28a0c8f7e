-- Each top-level campaign (strategy) with everything below it, over its lifetime: people
-- and deals counted once, costs and attributed amounts rolled up.
select
    campaign_id,
    campaign_name,
    marketing_lever,
    members,
    responses,
    mqls,
    influenced_opportunities,
    influenced_pipeline_corp,
    actual_cost,
    sourced_pipeline_w_shaped,
    won_acv_primary_source,
    won_acv_w_shaped,
    cost_per_response,
    roi_primary_source,
    roi_w_shaped
from marts.mart_campaign_performance
where scope = 'hierarchy' and fiscal_period = 'lifetime' and hierarchy_level = 1
order by sourced_pipeline_w_shaped desc, campaign_name
