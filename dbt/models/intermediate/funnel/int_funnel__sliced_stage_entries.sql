{{ config(materialized='view') }}
{#- Every stage entry once per funnel slice (total, lead_source, region,
    segment, channel) of its person: what the daily report and the flow
    ratios count. A view: DuckDB inlines it where used, so each mart's date
    filter reaches the scan instead of a five-fold table being stored. Not
    ephemeral, which would do the same: dagster-dbt cannot build column lineage
    for a model with an ephemeral parent (it has no relation name), and the two
    marts that read this model had none in the UI. -#}
with events as (
    select * from {{ ref('fct_funnel_stage_event') }}
),

persons as (
    select * from {{ ref('dim_person') }}
),

final as (
    select
        events.person_id,
        events.stage,
        events.entered_date,
        dimension_types.dimension_type,
        {{ funnel_dimension_value('persons') }} as dimension_value
    from events
    inner join persons
        on events.person_id = persons.person_id
    {{ funnel_dimension_join() }}
)

select * from final
