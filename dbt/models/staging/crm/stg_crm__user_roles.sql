with current_state as (
    {{ current_state(
        source('crm', 'user_role'), ['id'], modstamp='system_modstamp'
    ) }}
),

final as (
    select
        id as user_role_id,
        name,
        parent_role_id,
        system_modstamp as modified_at,
        _batch as source_batch,
        _row_number as source_row_number
    from current_state
)

select * from final
