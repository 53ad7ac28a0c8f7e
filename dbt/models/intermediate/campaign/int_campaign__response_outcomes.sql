{#- Funnel stages that followed a campaign response (docs/metrics.md §3.18):
    each time a person who responded to a campaign reached MQL or SQL within
    var campaign_followup_days after that response (fct_funnel_stage_event).
    A person responding to two campaigns before one MQL counts for both: this
    is influence, not attribution. One row per campaign_id x person_id x stage x
    entered date. -#}
{%- set followup = var('campaign_followup_days') | int -%}
with responses as (
    select
        campaign_id,
        person_id,
        responded_at
    from {{ ref('int_campaign__memberships') }}
    where responded_at is not null
),

stage_entries as (
    select
        person_id,
        stage,
        entered_at
    from {{ ref('fct_funnel_stage_event') }}
    where stage in ('mql', 'sql')
),

final as (
    select distinct
        responses.campaign_id,
        responses.person_id,
        stage_entries.stage,
        cast(stage_entries.entered_at as date) as entered_date
    from responses
    inner join stage_entries
        on
            responses.person_id = stage_entries.person_id
            and responses.responded_at <= stage_entries.entered_at
            and stage_entries.entered_at
            < {{ dbt.dateadd('day', followup, 'responses.responded_at') }}
)

select * from final
