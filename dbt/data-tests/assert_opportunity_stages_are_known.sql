{{ config(meta={'dagster': {'ref': {'name': 'int_opportunity_stages'}}}) }}
{#- Every stage an opportunity is or was in is known, from the org's
    OpportunityStage extract or from seed stage_mapping. A stage known to
    neither cannot be classed open or closed, won or lost, so the APM numbers
    would be wrong: this blocks publishing. Fix: add the stage to
    dbt/seeds/stage_mapping.csv (or extract OpportunityStage). -#}
with used as (
    select
        stage_name,
        'crm.opportunity' as found_in,
        opportunity_id
    from {{ ref('stg_crm__opportunities') }}
    union all
    select
        stage_name,
        'crm.opportunity_history' as found_in,
        opportunity_id
    from {{ ref('stg_crm__opportunity_history') }}
    where stage_name is not null
)

select
    used.stage_name,
    used.found_in,
    count(*) as row_count,
    min(used.opportunity_id) as example_opportunity_id
from used
left join {{ ref('int_opportunity_stages') }} as known_stages
    on used.stage_name = known_stages.stage_name
where known_stages.stage_name is null
group by used.stage_name, used.found_in
