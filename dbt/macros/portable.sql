{#- Dialect differences (the portability test, tests/test_portability.py): the models say what they
    mean once and these macros spell it for each engine. DuckDB is the default
    engine and keeps its fast forms; PostgreSQL (default__) and Spark (spark__)
    are proven by tests/test_portability.py. -#}

{#- Incremental models delete the rows they recompute. Spark's plain Parquet
    tables cannot delete, so on Spark these models are rebuilt as tables on
    every run (their hooks then do nothing: nothing is incremental). -#}
{% macro incremental_where_supported() -%}
    {{- return('table' if target.type == 'spark' else 'incremental') -}}
{%- endmacro %}

{#- Several columns taken from one row of each group: the first row by
    order_by (a list of expressions, ascending, nulls last), among the rows
    matching `where` when given. `columns` maps each output name to its
    expression; the macro renders "expression as name" for every entry, for a
    select list of a grouped query. A column that is NULL on the first row
    stays NULL: the row is picked, not a value. -#}
{% macro first_row_values(columns, order_by, where=none) -%}
    {{- return(adapter.dispatch('first_row_values', 'revenue_funnel')(
        columns, order_by, where
    )) -}}
{%- endmacro %}

{% macro default__first_row_values(columns, order_by, where) -%}
    {%- for name, expression in columns.items() %}
        (array_agg({{ expression }} order by {{ order_by | join(', ') }})
        {%- if where %} filter (where {{ where }}){% endif %})[1] as {{ name }}
        {%- if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- One arg_min of a struct of all the columns, extracted once per column:
    DuckDB computes identical aggregates once, so the columns cost one pass
    (an arg_min per column costs a pass each: 1.1 s against 0.9 s for two
    columns of 2.9M rows). The struct is never NULL, so a NULL column stays
    NULL; a single column needs no struct (arg_min_null keeps a NULL). -#}
{% macro duckdb__first_row_values(columns, order_by, where) -%}
    {%- set filter -%}
        {%- if where %} filter (where {{ where }}){% endif -%}
    {%- endset -%}
    {%- set key = '(' ~ order_by | join(', ') ~ ')' -%}
    {%- if columns | length == 1 -%}
        {%- for name, expression in columns.items() %}
            arg_min_null({{ expression }}, {{ key }}){{ filter }} as {{ name }}
        {%- endfor -%}
    {%- else -%}
        {%- set packed -%}
            struct_pack(
                {%- for name, expression in columns.items() -%}
                    {{ name }} := {{ expression }}{% if not loop.last %}, {% endif %}
                {%- endfor -%}
            )
        {%- endset -%}
        {%- for name in columns %}
            struct_extract(
                arg_min({{ packed }}, {{ key }}){{ filter }}, '{{ name }}'
            ) as {{ name }}
            {%- if not loop.last %},{% endif %}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}

{#- The continuous quantiles (interpolated) of `expression` at each fraction,
    as an array indexed from 1 in the fractions' order: one sorted state for
    all of them. -#}
{% macro quantiles_cont(expression, fractions) -%}
    {{- return(adapter.dispatch('quantiles_cont', 'revenue_funnel')(
        expression, fractions
    )) -}}
{%- endmacro %}

{% macro default__quantiles_cont(expression, fractions) -%}
    percentile_cont(array[{{ fractions | join(', ') }}])
    within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__quantiles_cont(expression, fractions) -%}
    quantile_cont({{ expression }}, [{{ fractions | join(', ') }}])
{%- endmacro %}

{#- The first non-NULL value of `expression` in a window's frame (`window`:
    what goes inside over (...)). PostgreSQL has no IGNORE NULLS: it collects
    the frame and drops the NULLs, fine for the short frames used here (the
    versions of one record). -#}
{% macro first_non_null(expression, window) -%}
    {{- return(adapter.dispatch('first_non_null', 'revenue_funnel')(
        expression, window
    )) -}}
{%- endmacro %}

{% macro default__first_non_null(expression, window) -%}
    (array_remove(array_agg({{ expression }}) over ({{ window }}), null))[1]
{%- endmacro %}

{% macro duckdb__first_non_null(expression, window) -%}
    first_value({{ expression }} ignore nulls) over ({{ window }})
{%- endmacro %}

{#- A 64-bit float: DOUBLE on DuckDB and Spark, DOUBLE PRECISION on
    PostgreSQL (dbt.type_float() is a 32-bit FLOAT on DuckDB). -#}
{% macro type_double() -%}
    {{- return(adapter.dispatch('type_double', 'revenue_funnel')()) -}}
{%- endmacro %}

{% macro default__type_double() -%}
    double precision
{%- endmacro %}

{% macro spark__type_double() -%}
    double
{%- endmacro %}

{#- Statements that replace `relation` (a Relation) with the result of the
    query in the call block:
        {% call create_or_replace_table(relation) %} select ... {% endcall %}
    The query may read the relation it replaces. A temporary relation comes
    from temp_relation(). -#}
{% macro create_or_replace_table(relation, temporary=false) -%}
    {{- return(adapter.dispatch('create_or_replace_table', 'revenue_funnel')(
        relation, temporary, caller()
    )) -}}
{%- endmacro %}

{#- Built under a new name, then swapped in: the query may read the old
    table. On PostgreSQL a table created in schema pg_temp is temporary. -#}
{% macro default__create_or_replace_table(relation, temporary, sql) -%}
    {%- set building = relation.incorporate(
        path={'identifier': relation.identifier ~ '__replacing'}
    ) -%}
    drop table if exists {{ building }};
    create table {{ building }} as
    {{ sql }};
    drop table if exists {{ relation }};
    alter table {{ building }} rename to {{ relation.identifier }}
{%- endmacro %}

{% macro duckdb__create_or_replace_table(relation, temporary, sql) -%}
    create or replace {% if temporary %}temp {% endif %}table {{ relation }} as
    {{ sql }}
{%- endmacro %}

{#- A temporary table, private to the connection. -#}
{% macro temp_relation(identifier) -%}
    {{- return(adapter.dispatch('temp_relation', 'revenue_funnel')(identifier)) -}}
{%- endmacro %}

{% macro default__temp_relation(identifier) -%}
    {{- return(api.Relation.create(schema='pg_temp', identifier=identifier)) -}}
{%- endmacro %}

{% macro duckdb__temp_relation(identifier) -%}
    {{- return(api.Relation.create(
        database='temp', schema='main', identifier=identifier
    )) -}}
{%- endmacro %}

{#- A 64-bit hash of a table alias's whole row. -#}
{% macro row_hash(alias) -%}
    {{- return(adapter.dispatch('row_hash', 'revenue_funnel')(alias)) -}}
{%- endmacro %}

{% macro default__row_hash(alias) -%}
    hashtextextended(cast({{ alias }} as text), 0)
{%- endmacro %}

{% macro duckdb__row_hash(alias) -%}
    hash({{ alias }})
{%- endmacro %}

{#- A 64-bit hash of several values together. -#}
{% macro hash_values(expressions) -%}
    {{- return(adapter.dispatch('hash_values', 'revenue_funnel')(expressions)) -}}
{%- endmacro %}

{% macro default__hash_values(expressions) -%}
    hashtextextended(concat_ws('|', {{ expressions | join(', ') }}), 0)
{%- endmacro %}

{% macro duckdb__hash_values(expressions) -%}
    hash({{ expressions | join(', ') }})
{%- endmacro %}

{#- Spark spellings. Spark orders NULLs first inside a struct, so each order
    key is preceded by its `is null` flag to keep nulls last. -#}
{% macro spark__first_row_values(columns, order_by, where) -%}
    {%- set keys = [] -%}
    {%- for expression in order_by -%}
        {%- do keys.append('(' ~ expression ~ ') is null') -%}
        {%- do keys.append(expression) -%}
    {%- endfor -%}
    {%- for name, expression in columns.items() %}
        (min_by(
            named_struct(
                {%- for other, value in columns.items() -%}
                    '{{ other }}', {{ value }}{% if not loop.last %}, {% endif %}
                {%- endfor -%}
            ),
            struct({{ keys | join(', ') }})
        ){%- if where %} filter (where {{ where }}){% endif %}).{{ name }} as {{ name }}
        {%- if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}

{% macro spark__quantiles_cont(expression, fractions) -%}
    percentile({{ expression }}, array({{ fractions | join(', ') }}))
{%- endmacro %}

{% macro spark__first_non_null(expression, window) -%}
    first({{ expression }}, true) over ({{ window }})
{%- endmacro %}

{#- The element at `position` (from 1) of an array. Spark's [] counts from 0. -#}
{% macro array_element(expression, position) -%}
    {{- return(adapter.dispatch('array_element', 'revenue_funnel')(expression, position)) -}}
{%- endmacro %}

{% macro default__array_element(expression, position) -%}
    {{ expression }}[{{ position }}]
{%- endmacro %}

{% macro spark__array_element(expression, position) -%}
    element_at({{ expression }}, {{ position }})
{%- endmacro %}

{#- A double rounded to the cent the same way on every engine: PostgreSQL has no
    round(double precision, integer), and rounding binary doubles differs by
    engine at half cents, so the value goes through an exact decimal first. -#}
{% macro round_to_cents(expression) -%}
    cast(round(cast({{ expression }} as decimal(38, 6)), 2) as {{ type_double() }})
{%- endmacro %}
