{%- set key_columns = ['quota_owner_id', 'start_date'] -%}

with current_state as (
    {{ current_state(
        source('crm', 'forecasting_quota'), key_columns, modstamp=none, deleted_columns=[]
    ) }}
),

final as (
    select
        quota_owner_id,
        start_date,
        quota_amount,
        currency_iso_code,
        _batch as source_batch,
        _row_number as source_row_number
    from current_state
)

select * from final
