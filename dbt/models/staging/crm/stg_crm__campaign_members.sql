with source as (
    select * from {{ source('crm', 'campaign_member') }}
),

current_state as (
    {{ current_state('source', ['id'], modstamp='system_modstamp') }}
),

final as (
    select
        id as campaign_member_id,
        campaign_id,
        lead_id,
        contact_id,
        status,
        has_responded,
        first_responded_date,
        created_date as created_at,
        system_modstamp as modified_at,
        _batch as source_batch,
        _row_number as source_row_number
    from current_state
)

select * from final
