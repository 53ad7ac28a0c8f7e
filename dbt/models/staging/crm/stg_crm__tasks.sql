{{ config(
    materialized=incremental_where_supported(),
    on_schema_change='fail',
    pre_hook="{{ delete_changed_records(source('crm', 'task'), 'id', 'task_id') }}"
) }}

with current_state as (
    {{ current_state(
        source('crm', 'task'), ['id'], modstamp='system_modstamp', incremental=true
    ) }}
),

final as (
    select
        id as task_id,
        who_id,
        what_id,
        account_id,
        owner_id,
        subject,
        type,
        task_subtype,
        status,
        activity_date,
        created_date as created_at,
        system_modstamp as modified_at,
        _batch as source_batch,
        _row_number as source_row_number,
        _loaded_at as source_loaded_at
    from current_state
)

select * from final
