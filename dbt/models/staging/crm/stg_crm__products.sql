with current_state as (
    {{ current_state(
        source('crm', 'product_2'), ['id'], modstamp='system_modstamp'
    ) }}
),

final as (
    select
        id as product_id,
        name,
        product_code,
        family,
        is_active,
        system_modstamp as modified_at,
        _batch as source_batch,
        _row_number as source_row_number
    from current_state
)

select * from final
