with current_state as (
    {{ current_state(
        source('crm', 'campaign_member_status'), ['id'], modstamp='system_modstamp'
    ) }}
),

final as (
    select
        id as campaign_member_status_id,
        campaign_id,
        label,
        has_responded,
        is_default,
        system_modstamp as modified_at,
        _batch as source_batch,
        _row_number as source_row_number
    from current_state
)

select * from final
