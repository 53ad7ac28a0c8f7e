{#- The attribution models every campaign mart reports, in column order: the
    primary campaign source (Salesforce's default influence model) and the
    touch models of the attribution_model seed. A mart column per model is
    named <measure>_<model>, so the list is fixed here and the seed's
    accepted_values test keeps the two in step. -#}
{% macro attribution_models() -%}
    {{- return(['primary_source', 'first_touch', 'last_touch', 'even', 'u_shaped', 'w_shaped', 'full_path']) -}}
{%- endmacro %}
