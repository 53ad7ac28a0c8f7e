{{ config(
    materialized=incremental_where_supported(),
    on_schema_change='fail',
    pre_hook="{{ delete_changed_records(source('crm', 'campaign_member'), 'id', 'campaign_member_id') }}"
) }}

with current_state as (
    {{ current_state(
        source('crm', 'campaign_member'), ['id'], modstamp='system_modstamp', incremental=true
    ) }}
),

final as (
    select
        id as campaign_member_id,
        campaign_id,
        lead_id,
        contact_id,
        status,
        has_responded,
        first_responded_date,
        created_date as created_at,
        system_modstamp as modified_at,
        _batch as source_batch,
        _row_number as source_row_number,
        _loaded_at as source_loaded_at
    from current_state
)

select * from final
