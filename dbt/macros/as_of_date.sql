{#- The run's clock as a date literal: the as_of_date var when given (dbt build --vars
    '{as_of_date: YYYY-MM-DD}'), else $FUNNEL_DBT_AS_OF_DATE, which is how Dagster passes it.
    Dagster does not use --vars because any change of vars makes dbt re-parse the whole project
    (about 5 s per run); the environment variable is read only when a node executes, never
    while parsing, so partial parsing survives a new day. A missing date is an error at run
    time, not at parse time, so `dbt parse` works without it. -#}
{% macro as_of_date() -%}
    {%- set value = var('as_of_date', none) -%}
    {%- if value is none and execute -%}
        {%- set value = env_var('FUNNEL_DBT_AS_OF_DATE', '') or none -%}
    {%- endif -%}
    {%- if value is none and execute -%}
        {{ exceptions.raise_compiler_error(
            "as_of_date is not set: pass --vars '{as_of_date: YYYY-MM-DD}' (Dagster passes "
            ~ "the date of the newest extract batch in FUNNEL_DBT_AS_OF_DATE)") }}
    {%- endif -%}
    cast('{{ value or "1970-01-01" }}' as date)
{%- endmacro %}
