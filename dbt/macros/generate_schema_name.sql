{#- Use the configured schema name as it is (staging, marts, ...), not <target>_<schema>,
    so that BI tools and the publish step find `marts` under a stable name. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
