{#- The weekly review table: mart_apm pivoted, one row per as_of_date x
    fiscal_period x dimension_type x dimension_value, each metric with its
    _ly, _yoy_pct, _attainment_pct and _rag companions (coverage carries no
    attainment). Every column but the amounts is non-additive. -#}
{%- set metrics = apm_metrics() -%}

with apm as (
    select * from {{ ref('mart_apm') }}
),

final as (
    select
        as_of_date,
        fiscal_period,
        period_start_date,
        period_end_date,
        dimension_type,
        dimension_value,
        max(pct_period_elapsed) as pct_period_elapsed,
        {%- for metric in metrics %}
            max(case when metric = '{{ metric }}' then value end)
                as {{ metric }},
            max(case when metric = '{{ metric }}' then value_ly end)
                as {{ metric }}_ly,
            max(case when metric = '{{ metric }}' then yoy_pct end)
                as {{ metric }}_yoy_pct,
            {%- if not metric.startswith('coverage') %}
                max(case when metric = '{{ metric }}' then attainment_pct end)
                    as {{ metric }}_attainment_pct,
            {%- endif %}
            max(case when metric = '{{ metric }}' then rag_status end)
                as {{ metric }}_rag{% if not loop.last %},{% endif %}
        {%- endfor %}
    from apm
    group by
        as_of_date,
        fiscal_period,
        period_start_date,
        period_end_date,
        dimension_type,
        dimension_value
)

select * from final
