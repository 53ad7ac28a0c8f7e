{{ config(
    materialized=incremental_where_supported(),
    on_schema_change='fail',
    pre_hook="{{ delete_changed_records(source('crm', 'opportunity_contact_role'), 'id', 'opportunity_contact_role_id') }}"
) }}

with current_state as (
    {{ current_state(
        source('crm', 'opportunity_contact_role'), ['id'], modstamp='system_modstamp', incremental=true
    ) }}
),

final as (
    select
        id as opportunity_contact_role_id,
        opportunity_id,
        contact_id,
        role,
        is_primary,
        system_modstamp as modified_at,
        _batch as source_batch,
        _row_number as source_row_number,
        _loaded_at as source_loaded_at
    from current_state
)

select * from final
