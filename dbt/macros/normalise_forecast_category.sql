{#- ForecastCategoryName / OpportunityHistory.ForecastCategory to the
    normalised set {Pipeline, BestCase, MostLikely, Commit, Closed, Omitted}
    (docs/metrics.md §3.1: OpportunityHistory writes "Forecast" for Commit). -#}
{% macro normalise_forecast_category(column) -%}
    case replace(lower(trim({{ column }})), ' ', '')
        when 'forecast' then 'Commit'
        when 'commit' then 'Commit'
        when 'bestcase' then 'BestCase'
        when 'mostlikely' then 'MostLikely'
        when 'pipeline' then 'Pipeline'
        when 'closed' then 'Closed'
        when 'omitted' then 'Omitted'
    end
{%- endmacro %}
