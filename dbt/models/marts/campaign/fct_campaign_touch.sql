{#- Marketing touches and the deals they can be credited to (docs/metrics.md
    §3.19). A touch is a campaign membership of a person: with
    touch_requires_response (the default) only responded memberships, at the
    first response (the day Salesforce keeps; the membership's creation time
    when it is the same day); otherwise every membership, at its creation. A
    member is mapped to its person (int_campaign__memberships), so a lead's
    memberships from before its conversion and its contact's after it are one
    person's touches.
    A touch can be credited to the non-excluded deals on which its person holds
    a contact role (and, with attribution_include_account_members, the deals of
    the person's account: account-based marketing), when it falls between
    attribution_lookback_days before the deal's creation and the deal's close
    (as_of_date while open). is_sourcing_window: also on or before the day the
    deal became pipeline, so it can source it. Only what existed at the end of
    as_of_date counts. One row per touch_id x opportunity_id; a touch that can
    be credited to no deal has one row with opportunity_id null. -#}
{%- set lookback = var('attribution_lookback_days') | int -%}
-- depends_on: {{ ref('dim_person') }} (read when account members count)
with dated_touches as (
    select
        campaign_member_id as touch_id,
        campaign_id,
        person_id,
        lead_id,
        contact_id,
        member_status,
        has_responded,
        touch_at,
        cast(touch_at as date) as touch_date,
        is_date_only
    from {{ ref('int_campaign__memberships') }}
    where counts_as_touch
),

identities as (
    select
        identity_type,
        identity_id,
        person_id
    from {{ ref('int_funnel__identities') }}
),

opportunities as (
    select
        opportunity_id,
        account_id,
        created_date,
        pipeline_created_date,
        case
            when is_open then {{ as_of_date() }}
            else least(close_date, {{ as_of_date() }})
        end as influence_end_date
    from {{ ref('fct_opportunity') }}
    where not is_excluded
),

role_links as (
    select distinct
        contact_roles.opportunity_id,
        identities.person_id,
        'contact_role' as link_type
    from {{ ref('stg_crm__opportunity_contact_roles') }} as contact_roles
    inner join identities
        on
            identities.identity_type = 'contact'
            and contact_roles.contact_id = identities.identity_id
),

links as (
    select * from role_links
    {%- if var('attribution_include_account_members') %}
        union all
        select
            opportunities.opportunity_id,
            persons.person_id,
            'account_member' as link_type
        from {{ ref('dim_person') }} as persons
        inner join opportunities on persons.account_id = opportunities.account_id
        where not exists (
            select 1
            from role_links
            where
                role_links.opportunity_id = opportunities.opportunity_id
                and role_links.person_id = persons.person_id
        )
    {%- endif %}
),

credited as (
    select
        dated_touches.touch_id,
        opportunities.opportunity_id,
        links.link_type,
        coalesce(
            dated_touches.touch_date <= opportunities.pipeline_created_date,
            false
        ) as is_sourcing_window
    from dated_touches
    inner join links on dated_touches.person_id = links.person_id
    inner join
        opportunities
        on links.opportunity_id = opportunities.opportunity_id
    where
        dated_touches.touch_date
        >= {{ dbt.dateadd('day', -lookback, 'opportunities.created_date') }}
        and dated_touches.touch_date <= opportunities.influence_end_date
),

final as (
    select
        dated_touches.touch_id,
        dated_touches.campaign_id,
        dated_touches.person_id,
        dated_touches.lead_id,
        dated_touches.contact_id,
        dated_touches.member_status,
        dated_touches.has_responded,
        dated_touches.touch_at,
        dated_touches.touch_date,
        dated_touches.is_date_only,
        credited.opportunity_id,
        credited.link_type,
        coalesce(credited.is_sourcing_window, false) as is_sourcing_window
    from dated_touches
    left join credited on dated_touches.touch_id = credited.touch_id
)

select * from final
