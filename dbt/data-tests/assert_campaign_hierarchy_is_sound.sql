{{ config(
    severity='warn',
    meta={'dagster': {'ref': {'name': 'int_campaign_hierarchy'}}}
) }}
{#- Campaign lines with a parent loop, a missing parent or more levels than
    Salesforce allows. They do not stop the run (rollups fall back to the
    campaign itself) but say the Campaign extract needs fixing: set ParentId
    of the campaigns listed in campaign_path. -#}
select
    campaign_id,
    hierarchy_issue,
    hierarchy_levels,
    campaign_path
from {{ ref('int_campaign_hierarchy') }}
where hierarchy_issue is not null
