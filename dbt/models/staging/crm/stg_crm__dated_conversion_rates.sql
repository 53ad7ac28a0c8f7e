{%- set key_columns = ['iso_code', 'start_date'] -%}

with current_state as (
    {{ current_state(
        source('crm', 'dated_conversion_rate'), key_columns, modstamp=none, deleted_columns=[]
    ) }}
),

final as (
    select
        iso_code,
        conversion_rate,
        start_date,
        next_start_date,
        _batch as source_batch,
        _row_number as source_row_number
    from current_state
)

select * from final
