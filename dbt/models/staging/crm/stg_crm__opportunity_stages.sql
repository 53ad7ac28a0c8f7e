{%- set key_columns = ['coalesce(master_label, api_name)'] -%}

with current_state as (
    {{ current_state(
        source('crm', 'opportunity_stage'), key_columns, modstamp=none, deleted_columns=[]
    ) }}
),

final as (
    select
        coalesce(master_label, api_name) as stage_name,
        api_name,
        is_active,
        is_closed,
        is_won,
        default_probability / 100.0 as default_probability,
        forecast_category_name,
        sort_order,
        _batch as source_batch,
        _row_number as source_row_number
    from current_state
)

select * from final
