{{ config(
    materialized=incremental_where_supported(),
    on_schema_change='fail',
    pre_hook="{{ delete_changed_records(source('crm', 'account'), 'id', 'account_id') }}"
) }}

with current_state as (
    {{ current_state(
        source('crm', 'account'), ['id'], modstamp='system_modstamp', incremental=true
    ) }}
),

final as (
    select
        id as account_id,
        name,
        industry,
        type,
        billing_country,
        number_of_employees,
        annual_revenue,
        owner_id,
        segment_c as segment,
        region_c as region,
        created_date as created_at,
        system_modstamp as modified_at,
        _batch as source_batch,
        _row_number as source_row_number,
        _loaded_at as source_loaded_at
    from current_state
)

select * from final
