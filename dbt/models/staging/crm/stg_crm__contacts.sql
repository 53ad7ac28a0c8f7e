{{ config(
    materialized=incremental_where_supported(),
    on_schema_change='fail',
    pre_hook="{{ delete_changed_records(source('crm', 'contact'), 'id', 'contact_id') }}"
) }}

with current_state as (
    {{ current_state(
        source('crm', 'contact'), ['id'], modstamp='system_modstamp', incremental=true
    ) }}
),

final as (
    select
        id as contact_id,
        account_id,
        email,
        lower(trim(email)) as email_normalised,
        lead_source,
        owner_id,
        created_date as created_at,
        system_modstamp as modified_at,
        _batch as source_batch,
        _row_number as source_row_number,
        _loaded_at as source_loaded_at
    from current_state
)

select * from final
