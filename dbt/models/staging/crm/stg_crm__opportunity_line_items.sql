{{ config(
    materialized=incremental_where_supported(),
    on_schema_change='fail',
    pre_hook="{{ delete_changed_records(source('crm', 'opportunity_line_item'), 'id', 'opportunity_line_item_id') }}"
) }}

with current_state as (
    {{ current_state(
        source('crm', 'opportunity_line_item'), ['id'], modstamp='system_modstamp', incremental=true
    ) }}
),

final as (
    select
        id as opportunity_line_item_id,
        opportunity_id,
        product_2_id as product_id,
        quantity,
        unit_price as unit_price_local,
        total_price as total_price_local,
        created_date as created_at,
        system_modstamp as modified_at,
        _batch as source_batch,
        _row_number as source_row_number,
        _loaded_at as source_loaded_at
    from current_state
)

select * from final
