{#- Fails with one row per key combination that occurs more than once (dbt_utils'
    unique_combination_of_columns, which cannot be installed offline). -#}
{% test unique_combination(model, columns) %}
    select
        {{ columns | join(', ') }},
        count(*) as n_rows
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}
