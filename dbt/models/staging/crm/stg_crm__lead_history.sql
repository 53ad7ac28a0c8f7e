with source as (
    select * from {{ source('crm', 'lead_history') }}
),

current_state as (
    {{ current_state(
        'source', ['id'], modstamp=none, deleted_columns=['is_deleted']
    ) }}
),

final as (
    select
        id as lead_history_id,
        lead_id,
        field,
        old_value,
        new_value,
        created_date as created_at,
        _batch as source_batch,
        _row_number as source_row_number
    from current_state
)

select * from final
