{%- set key_columns = [
    'fiscal_period', 'metric', 'dimension_type', 'dimension_value'
] -%}

with current_state as (
    {{ current_state(
        source('plan', 'target'), key_columns, modstamp=none, deleted_columns=[]
    ) }}
),

final as (
    select
        fiscal_period,
        metric,
        dimension_type,
        dimension_value,
        amount as target_amount,
        _batch as source_batch,
        _row_number as source_row_number
    from current_state
)

select * from final
