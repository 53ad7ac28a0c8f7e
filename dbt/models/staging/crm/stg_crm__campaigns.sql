with current_state as (
    {{ current_state(
        source('crm', 'campaign'), ['id'], modstamp='system_modstamp'
    ) }}
),

final as (
    select
        id as campaign_id,
        name,
        parent_id,
        type,
        status,
        start_date,
        end_date,
        budgeted_cost,
        actual_cost,
        expected_revenue,
        expected_response,
        number_sent,
        is_active,
        owner_id,
        created_date as created_at,
        system_modstamp as modified_at,
        _batch as source_batch,
        _row_number as source_row_number
    from current_state
)

select * from final
