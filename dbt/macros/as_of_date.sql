{#- The run's clock as a date literal. Dagster always passes the var; a missing var is an error
    at run time (not at parse time, so `dbt parse` works without it). -#}
{% macro as_of_date() -%}
    {%- set value = var('as_of_date', none) -%}
    {%- if value is none and execute -%}
        {{ exceptions.raise_compiler_error(
            "as_of_date is not set: pass --vars '{as_of_date: YYYY-MM-DD}' (Dagster passes "
            ~ "the date of the newest extract batch)") }}
    {%- endif -%}
    cast('{{ value or "1970-01-01" }}' as date)
{%- endmacro %}
