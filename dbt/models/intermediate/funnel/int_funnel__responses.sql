{#- Campaign responses by person: every campaign member that responded,
    mapped to its person through the lead or contact it names, with when it
    responded. Salesforce keeps only the day of the first response; the
    member's creation time stands in when it is the same day, else the day
    counts (is_date_only). One row per responded campaign member. -#}
with members as (
    select * from {{ ref('stg_crm__campaign_members') }}
    where has_responded
),

identities as (
    select * from {{ ref('int_funnel__identities') }}
),

final as (
    select
        identities.person_id,
        members.campaign_member_id,
        members.campaign_id,
        case
            when members.first_responded_date is null then members.created_at
            when cast(members.created_at as date) = members.first_responded_date
                then members.created_at
            else cast(members.first_responded_date as timestamp)
        end as responded_at,
        coalesce(
            cast(members.created_at as date) <> members.first_responded_date,
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
)

select * from final
