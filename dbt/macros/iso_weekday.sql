{#- ISO day of week, 1 = Monday .. 7 = Sunday. -#}
{% macro iso_weekday(expr) -%}
    {{ return(adapter.dispatch('iso_weekday', 'revenue_funnel')(expr)) }}
{%- endmacro %}

{% macro default__iso_weekday(expr) -%}
    cast(extract(isodow from {{ expr }}) as integer)
{%- endmacro %}

{% macro spark__iso_weekday(expr) -%}
    cast(extract(dayofweek_iso from {{ expr }}) as integer)
{%- endmacro %}
