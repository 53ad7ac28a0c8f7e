with current_state as (
    {{ current_state(
        source('crm', 'user'), ['id'], modstamp='system_modstamp'
    ) }}
),

final as (
    select
        id as user_id,
        name,
        is_active,
        user_role_id,
        manager_id,
        sales_role_c as sales_role,
        region_c as region,
        created_date as created_at,
        system_modstamp as modified_at,
        _batch as source_batch,
        _row_number as source_row_number
    from current_state
)

select * from final
