{#- The slices every funnel mart is published by (issue: total, lead_source,
    region, segment, channel), as a cross join that turns one row per person
    into one row per person and slice. `total` is a slice of its own, so totals
    are counted from the base rows and never by adding slices up. -#}
{% macro funnel_dimension_types() -%}
    {{ return(['total'] + funnel_slice_types()) }}
{%- endmacro %}

{#- The slice types that are person attributes: every type but `total`. -#}
{% macro funnel_slice_types() -%}
    {{ return(['lead_source', 'region', 'segment', 'channel']) }}
{%- endmacro %}

{% macro funnel_dimension_join() -%}
    cross join (
        {%- for dimension_type in funnel_dimension_types() %}
        select '{{ dimension_type }}' as dimension_type
        {%- if not loop.last %} union all{% endif %}
        {%- endfor %}
    ) as dimension_types
{%- endmacro %}

{% macro funnel_dimension_value(person_alias) -%}
    case dimension_types.dimension_type
        when 'total' then 'total'
        {%- for dimension_type in funnel_slice_types() %}
        when '{{ dimension_type }}'
            then {{ funnel_slice_value(person_alias, dimension_type) }}
        {%- endfor %}
    end
{%- endmacro %}

{#- A person's value of one slice type (not `total`); people without one are
    counted under 'unknown'. -#}
{% macro funnel_slice_value(person_alias, dimension_type) -%}
    coalesce({{ person_alias }}.{{ dimension_type }}, 'unknown')
{%- endmacro %}
