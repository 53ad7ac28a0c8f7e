{#- Campaign responses by person: every campaign membership that responded by
    the end of as_of_date, mapped to its person, with when it responded
    (int_campaign__memberships: Salesforce keeps only the day of the first
    response; the membership's creation time stands in when it is the same
    day, else the day counts, is_date_only). One row per responded campaign
    member. -#}
with memberships as (
    select * from {{ ref('int_campaign__memberships') }}
    where responded_at is not null
),

final as (
    select
        person_id,
        campaign_member_id,
        campaign_id,
        responded_at,
        is_date_only
    from memberships
)

select * from final
