with current_state as (
    {{ current_state(
        source('crm', 'currency_type'), ['iso_code'], modstamp=none, deleted_columns=[]
    ) }}
),

final as (
    select
        iso_code,
        conversion_rate,
        is_corporate,
        _batch as source_batch,
        _row_number as source_row_number
    from current_state
)

select * from final
