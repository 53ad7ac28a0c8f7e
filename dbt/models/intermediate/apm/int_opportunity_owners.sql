{#- Who owned each opportunity when: one row per opportunity and ownership
    interval [valid_from, valid_to), from the Owner changes in
    OpportunityFieldHistory (rows whose values are user ids: Salesforce also
    writes a row with the names). Before its first change a deal belonged to
    that change's old owner; a deal never reassigned has one interval with its
    current owner. The owner on day D is the interval valid at the end of D
    (version_valid_on), as for the opportunity versions, whose owner_id is the
    current one. Changes after as_of_date are not known yet. -#}
{%- set end_of_as_of = dbt.dateadd('day', 1, as_of_date()) -%}
with users as (
    select user_id from {{ ref('stg_crm__users') }}
),

changes as (
    select
        history.opportunity_id,
        history.old_value as old_owner_id,
        history.new_value as new_owner_id,
        history.created_at as changed_at,
        row_number() over (
            partition by history.opportunity_id
            order by history.created_at, history.opportunity_field_history_id
        ) as change_no
    from {{ ref('stg_crm__opportunity_field_history') }} as history
    inner join users on history.new_value = users.user_id
    where
        history.field in ('Owner', 'OwnerId')
        and history.created_at < {{ end_of_as_of }}
),

intervals as (
    -- before the first change
    select
        opportunity_id,
        old_owner_id as owner_id,
        cast(null as timestamp) as valid_from,
        changed_at as valid_to
    from changes
    where change_no = 1
    union all
    select
        changes.opportunity_id,
        changes.new_owner_id as owner_id,
        changes.changed_at as valid_from,
        next_changes.changed_at as valid_to
    from changes
    left join changes as next_changes
        on
            changes.opportunity_id = next_changes.opportunity_id
            and next_changes.change_no = changes.change_no + 1
    union all
    select
        opportunities.opportunity_id,
        opportunities.owner_id,
        cast(null as timestamp) as valid_from,
        cast(null as timestamp) as valid_to
    from {{ ref('stg_crm__opportunities') }} as opportunities
    where not exists (
        select 1 from changes
        where changes.opportunity_id = opportunities.opportunity_id
    )
),

final as (
    select
        opportunity_id,
        owner_id,
        valid_from,
        valid_to,
        coalesce(cast(valid_from as date), cast('1900-01-01' as date))
            as valid_from_date,
        cast(valid_to as date) as valid_to_date
    from intervals
)

select * from final
