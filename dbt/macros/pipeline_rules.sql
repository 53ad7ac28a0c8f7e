{#- The deal-level rules every pipeline measure shares (docs/metrics.md §3.4,
    §3.6), written once so the APM, the waterfall and the forecast trajectory
    cannot disagree on what is in the pipeline. `alias` is a relation with an
    opportunity version's columns ('' for unqualified column names). -#}
{% macro _col(alias, column) -%}
    {{ alias ~ '.' if alias else '' }}{{ column }}
{%- endmacro %}

{% macro is_open_pipeline(alias='') -%}
    {{ _col(alias, 'is_open') }}
    and {{ _col(alias, 'forecast_category') }} <> 'Omitted'
    and {{ _col(alias, 'stage_sort_order') }}
    >= {{ var('qualified_stage_min_sort_order') | int }}
    and {{ _col(alias, 'acv_corp') }} > 0
{%- endmacro %}

{% macro is_open_commit(alias='') -%}
    {{ _col(alias, 'is_open') }} and {{ _col(alias, 'forecast_category') }} = 'Commit'
{%- endmacro %}

{% macro is_open_best_case(alias='') -%}
    {{ _col(alias, 'is_open') }}
    and {{ _col(alias, 'forecast_category') }}
    in ('Commit', 'MostLikely', 'BestCase')
{%- endmacro %}
