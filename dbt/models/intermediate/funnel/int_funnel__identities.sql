{#- Who is who (docs/metrics.md §3.14): every lead, contact, marketing prospect
    and web visitor mapped to one person. A converted lead and its contact are
    one person; prospects join through their CRM ids, else by normalised e-mail;
    visitors through the prospect they were identified as. Only records that
    existed at the end of as_of_date take part, so replaying an earlier day
    resolves people as they were known then. -#}
{%- set end_of_as_of = dbt.dateadd('day', 1, as_of_date()) -%}

with leads as (
    select
        lead_id,
        email_normalised,
        converted_contact_id,
        created_at
    from {{ ref('stg_crm__leads') }}
    where created_at < {{ end_of_as_of }}
),

contacts as (
    select
        contact_id,
        email_normalised,
        created_at
    from {{ ref('stg_crm__contacts') }}
    where created_at < {{ end_of_as_of }}
),

prospects as (
    select
        prospect_id,
        email_normalised,
        crm_lead_id,
        crm_contact_id,
        created_at
    from {{ ref('stg_marketing__prospects') }}
    where created_at < {{ end_of_as_of }}
),

visitors as (
    select
        visitor_id,
        prospect_id,
        first_seen_at
    from {{ ref('stg_marketing__visitors') }}
    where first_seen_at < {{ end_of_as_of }}
),

-- Several leads can be converted into one contact (a lead converted into an
-- existing contact): the person is anchored on the earliest of them.
-- Earliest picks here are aggregates, a hash pass, not ranking windows, which
-- sort (the model 1.64 to 1.93 s -> 1.57 to 1.59 s at scale l).
contact_anchor as (
    select
        converted_contact_id as contact_id,
        {{ first_row_values(
            {'anchor_lead_id': 'lead_id'}, ['created_at', 'lead_id']
        ) }}
    from leads
    where converted_contact_id is not null
    group by converted_contact_id
),

crm_identities as (
    select
        'lead' as identity_type,
        leads.lead_id as identity_id,
        coalesce(contact_anchor.anchor_lead_id, leads.lead_id) as person_id,
        case
            when contact_anchor.anchor_lead_id <> leads.lead_id
                then 'conversion'
            else 'self'
        end as matched_by,
        leads.email_normalised,
        leads.created_at
    from leads
    left join contact_anchor
        on leads.converted_contact_id = contact_anchor.contact_id

    union all

    select
        'contact' as identity_type,
        contacts.contact_id as identity_id,
        coalesce(contact_anchor.anchor_lead_id, contacts.contact_id)
            as person_id,
        case
            when contact_anchor.anchor_lead_id is not null then 'conversion'
            else 'self'
        end as matched_by,
        contacts.email_normalised,
        contacts.created_at
    from contacts
    left join contact_anchor
        on contacts.contact_id = contact_anchor.contact_id
),

-- The person of the earliest CRM record carrying an e-mail address.
email_owner as (
    select
        email_normalised,
        {{ first_row_values(
            {'person_id': 'person_id'}, ['created_at', 'identity_id']
        ) }}
    from crm_identities
    where email_normalised is not null and email_normalised <> ''
    group by email_normalised
),

prospect_identities as (
    select
        'prospect' as identity_type,
        prospects.prospect_id as identity_id,
        coalesce(
            by_lead.person_id,
            by_contact.person_id,
            by_email.person_id,
            'mkt-prospect-' || prospects.prospect_id
        ) as person_id,
        case
            when by_lead.person_id is not null then 'crm_lead_id'
            when by_contact.person_id is not null then 'crm_contact_id'
            when by_email.person_id is not null then 'email'
            else 'self'
        end as matched_by,
        prospects.email_normalised,
        prospects.created_at
    from prospects
    left join crm_identities as by_lead
        on
            by_lead.identity_type = 'lead'
            and prospects.crm_lead_id = by_lead.identity_id
    left join crm_identities as by_contact
        on
            by_contact.identity_type = 'contact'
            and prospects.crm_contact_id = by_contact.identity_id
    left join email_owner as by_email
        on prospects.email_normalised = by_email.email_normalised
),

visitor_identities as (
    select
        'visitor' as identity_type,
        visitors.visitor_id as identity_id,
        coalesce(
            prospect_identities.person_id, 'mkt-visitor-' || visitors.visitor_id
        ) as person_id,
        case
            when prospect_identities.person_id is not null then 'prospect_id'
            else 'self'
        end as matched_by,
        cast(null as {{ dbt.type_string() }}) as email_normalised,
        visitors.first_seen_at as created_at
    from visitors
    left join prospect_identities
        on visitors.prospect_id = prospect_identities.identity_id
),

final as (
    select * from crm_identities
    union all
    select * from prospect_identities
    union all
    select * from visitor_identities
)

select * from final
