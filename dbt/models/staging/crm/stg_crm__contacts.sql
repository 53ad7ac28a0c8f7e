with source as (
    select * from {{ source('crm', 'contact') }}
),

current_state as (
    {{ current_state('source', ['id'], modstamp='system_modstamp') }}
),

final as (
    select
        id as contact_id,
        account_id,
        email,
        lower(trim(email)) as email_normalised,
        lead_source,
        owner_id,
        created_date as created_at,
        system_modstamp as modified_at,
        _batch as source_batch,
        _row_number as source_row_number
    from current_state
)

select * from final
