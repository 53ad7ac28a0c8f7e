{{ config(
    materialized=incremental_where_supported(),
    on_schema_change='fail',
    pre_hook="{{ delete_changed_records(source('marketing', 'activity'), 'activity_id', 'activity_id') }}"
) }}

with current_state as (
    {{ current_state(
        source('marketing', 'activity'), ['activity_id'], modstamp=none, deleted_columns=[], incremental=true
    ) }}
),

final as (
    select
        activity_id,
        occurred_at,
        activity_type,
        prospect_id,
        visitor_id,
        campaign_id,
        program_name,
        url,
        score_delta,
        score_after,
        _batch as source_batch,
        _row_number as source_row_number,
        _loaded_at as source_loaded_at
    from current_state
)

select * from final
