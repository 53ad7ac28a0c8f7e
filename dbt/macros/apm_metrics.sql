{#- The APM metrics in review order (mart_apm rows, mart_apm_matrix columns). -#}
{% macro apm_metrics() -%}
    {{ return([
        'forecast_commit', 'forecast_best_case', 'closed_won_acv',
        'open_pipeline', 'pipeline_generation', 'coverage_remaining',
        'coverage_gross']) }}
{%- endmacro %}
