{%- set start_date = "cast('" ~ var('calendar_start_date') ~ "' as date)" -%}
{%- set end_date = "cast('" ~ var('calendar_end_date') ~ "' as date)" -%}

with spine as (
    {{ dbt.date_spine('day', start_date, end_date) }}
),

final as (
    select cast(date_day as date) as date_day
    from spine
)

select * from final
