{#- Campaign memberships by person, as known at the end of as_of_date: each
    member mapped to its person through the lead or contact it names (a
    converted lead and its contact are one person, int_funnel__identities),
    with when it responded: Salesforce keeps only the day of the first
    response, so the membership's creation time stands in when it is the same
    day, else the day counts (is_date_only). counts_as_touch follows var
    touch_requires_response: responded memberships at their response, or every
    membership at its creation (touch_at). One row per campaign member. -#}
{%- set end_of_as_of = dbt.dateadd('day', 1, as_of_date()) -%}
with members as (
    select
        campaign_member_id,
        campaign_id,
        lead_id,
        contact_id,
        status,
        coalesce(has_responded, false) as has_responded,
        first_responded_date,
        created_at
    from {{ ref('stg_crm__campaign_members') }}
    where created_at < {{ end_of_as_of }}
),

identities as (
    select
        identity_type,
        identity_id,
        person_id
    from {{ ref('int_funnel__identities') }}
),

mapped as (
    select
        members.campaign_member_id,
        members.campaign_id,
        identities.person_id,
        members.lead_id,
        members.contact_id,
        members.status as member_status,
        members.has_responded,
        members.created_at as member_created_at,
        case
            when not members.has_responded then null
            when members.first_responded_date is null then members.created_at
            when
                cast(members.created_at as date) = members.first_responded_date
                then members.created_at
            else cast(members.first_responded_date as timestamp)
        end as responded_at,
        coalesce(
            members.has_responded
            and cast(members.created_at as date)
            <> members.first_responded_date,
            false
        ) as is_date_only
    from members
    inner join identities
        on
            identities.identity_type
            = case
                when members.lead_id is not null then 'lead' else 'contact'
            end
            and coalesce(members.lead_id, members.contact_id)
            = identities.identity_id
),

final as (
    select
        campaign_member_id,
        campaign_id,
        person_id,
        lead_id,
        contact_id,
        member_status,
        has_responded,
        member_created_at,
        case
            when responded_at < {{ end_of_as_of }} then responded_at
        end as responded_at,
        is_date_only,
        {%- if var('touch_requires_response') %}
            coalesce(responded_at < {{ end_of_as_of }}, false)
                as counts_as_touch,
            case
                when responded_at < {{ end_of_as_of }} then responded_at
            end as touch_at
        {%- else %}
            true as counts_as_touch,
            member_created_at as touch_at
        {%- endif %}
    from mapped
)

select * from final
