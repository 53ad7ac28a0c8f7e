with source as (
    select * from {{ source('crm', 'opportunity_contact_role') }}
),

current_state as (
    {{ current_state('source', ['id'], modstamp='system_modstamp') }}
),

final as (
    select
        id as opportunity_contact_role_id,
        opportunity_id,
        contact_id,
        role,
        is_primary,
        system_modstamp as modified_at,
        _batch as source_batch,
        _row_number as source_row_number
    from current_state
)

select * from final
