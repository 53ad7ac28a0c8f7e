{{ config(
    materialized=incremental_where_supported(),
    on_schema_change='fail',
    pre_hook="{{ delete_changed_records(source('crm', 'opportunity_history'), 'id', 'opportunity_history_id') }}"
) }}

with current_state as (
    {{ current_state(
        source('crm', 'opportunity_history'), ['id'], modstamp=none, deleted_columns=['is_deleted'], incremental=true
    ) }}
),

final as (
    select
        id as opportunity_history_id,
        opportunity_id,
        stage_name,
        amount as amount_local,
        close_date,
        case when probability between 0 and 100 then probability / 100.0 end
            as probability,
        forecast_category,
        created_date as created_at,
        created_by_id,
        _batch as source_batch,
        _row_number as source_row_number,
        _loaded_at as source_loaded_at
    from current_state
)

select * from final
