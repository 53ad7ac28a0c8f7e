{{ config(materialized='ephemeral') }}
{#- Every stage entry once per funnel slice (total, lead_source, region,
    segment, channel) of its person: what the daily report and the flow
    ratios count. Ephemeral: inlined where used, so each mart's date filter
    reaches the scan instead of a five-fold table being stored. -#}
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
