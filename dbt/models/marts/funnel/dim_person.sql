{#- One row per person known by as_of_date (metrics.md 3.14): a converted lead
    and its contact are one person; marketing prospects join through their CRM
    ids, else by normalised e-mail; visitors never identified are anonymous
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

-- The first record of each kind per person (a person can have several).
firsts as (
    select
        person_id,
        identity_type,
        identity_id,
        email_normalised,
        created_at
    from (
        select
            *,
            row_number() over (
                partition by person_id, identity_type
                order by created_at, identity_id
            ) as kind_rank
        from identities
    ) as ranked
    where kind_rank = 1
),

persons as (
    select
        person_id,
        max(case when identity_type = 'lead' then identity_id end) as lead_id,
        max(case when identity_type = 'contact' then identity_id end)
            as contact_id,
        max(case when identity_type = 'prospect' then identity_id end)
            as prospect_id,
        max(case when identity_type = 'visitor' then identity_id end)
            as visitor_id,
        min(case when identity_type <> 'visitor' then created_at end)
            as known_at,
        min(created_at) as first_seen_at
    from firsts
    group by person_id
),

emails as (
    select
        person_id,
        email_normalised
    from (
        select
            person_id,
            email_normalised,
            row_number() over (
                partition by person_id
                order by
                    case identity_type
                        when 'lead' then 1
                        when 'contact' then 2
                        else 3
                    end
            ) as email_rank
        from firsts
        where email_normalised is not null
    ) as ranked
    where email_rank = 1
),

-- The channel of the first campaign the person responded to.
first_responses as (
    select
        person_id,
        marketing_channel
    from (
        select
            responses.person_id,
            channels.marketing_channel,
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
        emails.email_normalised as email,
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
        first_responses.marketing_channel as channel
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
    left join emails
        on persons.person_id = emails.person_id
    left join first_responses
        on persons.person_id = first_responses.person_id
    where
        persons.first_seen_at < {{ dbt.dateadd('day', 1, as_of_date()) }}
)

select * from final
