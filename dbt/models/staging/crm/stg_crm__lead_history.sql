{{ config(
    materialized=incremental_where_supported(),
    on_schema_change='fail',
    pre_hook="{{ delete_changed_records(source('crm', 'lead_history'), 'id', 'lead_history_id') }}"
) }}

with current_state as (
    {{ current_state(
        source('crm', 'lead_history'), ['id'], modstamp=none, deleted_columns=['is_deleted'], incremental=true
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
        _row_number as source_row_number,
        _loaded_at as source_loaded_at
    from current_state
)

select * from final
