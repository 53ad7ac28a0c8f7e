with source as (
    select * from {{ source('crm', 'event') }}
),

current_state as (
    {{ current_state('source', ['id'], modstamp='system_modstamp') }}
),

final as (
    select
        id as event_id,
        who_id,
        what_id,
        account_id,
        owner_id,
        subject,
        type,
        event_subtype,
        start_date_time,
        activity_date,
        created_date as created_at,
        system_modstamp as modified_at,
        _batch as source_batch,
        _row_number as source_row_number
    from current_state
)

select * from final
