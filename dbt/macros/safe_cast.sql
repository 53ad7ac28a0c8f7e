{#- dbt's default safe_cast is a plain cast on DuckDB and Postgres, which fails the whole query
    on one bad value. Where the engine has try_cast, use it. -#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}

{% macro spark__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}
