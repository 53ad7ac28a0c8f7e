{#- The as-of rule of docs/metrics.md §2.1 (end of day): a version is the state on
    day D when date(valid_from) <= D and (valid_to is null or
    date(valid_to) > D); several versions on one day leave only the last. -#}
{% macro version_valid_on(versions, day) -%}
    {{ versions }}.valid_from_date <= {{ day }}
    and (
        {{ versions }}.valid_to_date is null
        or {{ versions }}.valid_to_date > {{ day }}
    )
{%- endmacro %}
