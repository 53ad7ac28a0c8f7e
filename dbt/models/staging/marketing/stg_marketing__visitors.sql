{{ config(
    materialized=incremental_where_supported(),
    on_schema_change='fail',
    pre_hook="{{ delete_changed_records(source('marketing', 'visitor'), 'visitor_id', 'visitor_id') }}"
) }}

with current_state as (
    {{ current_state(
        source('marketing', 'visitor'), ['visitor_id'], modstamp=none, deleted_columns=[], incremental=true
    ) }}
),

final as (
    select
        visitor_id,
        first_seen_at,
        prospect_id,
        _batch as source_batch,
        _row_number as source_row_number,
        _loaded_at as source_loaded_at
    from current_state
)

select * from final
