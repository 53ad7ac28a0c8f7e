with source as (
    select * from {{ source('crm', 'account') }}
),

current_state as (
    {{ current_state('source', ['id'], modstamp='system_modstamp') }}
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
        _row_number as source_row_number
    from current_state
)

select * from final
