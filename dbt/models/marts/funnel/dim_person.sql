{#- One row per person known by as_of_date (docs/metrics.md §3.14): a converted
    lead and its contact are one person; marketing prospects join through their
    CRM ids, else by normalised e-mail; visitors never identified are anonymous
    persons. Region and segment come from the person's account when there is
    one, else from the lead's country and employee count (the lookup seeds). -#}
with identities as (
    select * from {{ ref('int_funnel__identities') }}
),

leads as (
    select * from {{ ref('stg_crm__leads') }}
),

contacts as (
    select * from {{ ref('stg_crm__contacts') }}
),

accounts as (
    select * from {{ ref('dim_account') }}
),

-- Per person, in one pass: the first record of each kind (a person can have
-- several; first by creation, then id) with its e-mail (macros/portable.sql
-- takes both from the same row in one aggregate).
person_firsts as (
    select
        person_id,
        {%- for kind in ['lead', 'contact', 'prospect'] %}
            {{ first_row_values(
                {kind ~ '_id': 'identity_id', kind ~ '_email':
                'email_normalised'},
                ['created_at', 'identity_id'],
                where="identity_type = '" ~ kind ~ "'"
            ) }},
        {%- endfor %}
        {{ first_row_values(
            {'visitor_id': 'identity_id'},
            ['created_at', 'identity_id'],
            where="identity_type = 'visitor'"
        ) }},
        min(created_at) filter (where identity_type <> 'visitor') as known_at,
        min(created_at) as first_seen_at
    from identities
    group by person_id
),

-- The e-mail is the first lead's, else the first contact's, else the first
-- prospect's (visitors carry none); a first record's missing e-mail stays
-- missing rather than falling to a later record of the same kind.
persons as (
    select
        person_id,
        lead_id,
        contact_id,
        prospect_id,
        visitor_id,
        known_at,
        first_seen_at,
        coalesce(lead_email, contact_email, prospect_email)
            as email_normalised
    from person_firsts
),

-- The marketing lever of the first campaign the person responded to.
first_responses as (
    select
        person_id,
        marketing_lever
    from (
        select
            responses.person_id,
            channels.marketing_lever,
            row_number() over (
                partition by responses.person_id
                order by responses.responded_at, responses.campaign_member_id
            ) as response_rank
        from {{ ref('int_funnel__responses') }} as responses
        left join {{ ref('stg_crm__campaigns') }} as campaigns
            on responses.campaign_id = campaigns.campaign_id
        left join {{ ref('campaign_type_channel') }} as channels
            on campaigns.type = channels.campaign_type
        where
            responses.responded_at < {{ dbt.dateadd('day', 1, as_of_date()) }}
    ) as ranked
    where response_rank = 1
),

final as (
    select
        persons.person_id,
        persons.lead_id,
        persons.contact_id,
        persons.prospect_id,
        persons.visitor_id,
        persons.email_normalised as email,
        coalesce(leads.converted_account_id, contacts.account_id) as account_id,
        persons.known_at,
        cast(persons.known_at as date) as known_date,
        persons.first_seen_at,
        case
            when persons.lead_id is not null then 'lead'
            when persons.contact_id is not null then 'contact'
            when persons.prospect_id is not null then 'prospect'
            else 'visitor'
        end as person_type,
        coalesce(leads.lead_source, contacts.lead_source) as lead_source,
        coalesce(accounts.region, country_region.region) as region,
        coalesce(accounts.segment, employee_bands.segment) as segment,
        first_responses.marketing_lever as channel
    from persons
    left join leads
        on persons.lead_id = leads.lead_id
    left join contacts
        on persons.contact_id = contacts.contact_id
    left join accounts
        on
            coalesce(leads.converted_account_id, contacts.account_id)
            = accounts.account_id
    left join {{ ref('country_region') }} as country_region
        on leads.country = country_region.country
    left join {{ ref('employee_band_segment') }} as employee_bands
        on
            leads.number_of_employees >= employee_bands.min_employees
            and (
                employee_bands.max_employees is null
                or leads.number_of_employees <= employee_bands.max_employees
            )
    left join first_responses
        on persons.person_id = first_responses.person_id
    where
        persons.first_seen_at < {{ dbt.dateadd('day', 1, as_of_date()) }}
)

select * from final
