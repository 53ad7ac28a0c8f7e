{#- First day of the fiscal quarter containing a date, for the configured
    fiscal_year_start_month (docs/metrics.md §2.2). The same rule dim_date stores as
    fiscal_quarter_start_date; as an expression it needs no calendar join. -#}
{% macro fiscal_quarter_start(date_expression) -%}
    {%- set start_month = var('fiscal_year_start_month') | int -%}
    cast({{ dbt.dateadd(
        'month',
        '-1 * mod(cast(extract(month from ' ~ date_expression ~ ') as integer) - '
            ~ start_month ~ ' + 12, 3)',
        dbt.date_trunc('month', date_expression)
    ) }} as date)
{%- endmacro %}
