{#- Incremental staging (README, the extract contract; docs/decisions.md): raw tables only
    grow, so a run recomputes the current state of the records that new
    batches touched, not of every record.

    The watermark is the newest load (`_loaded_at`) the model already holds.
    A record with a row loaded after it is "changed": the pre-hook deletes its
    staged row and the model inserts its current state again, computed from
    all its versions (so a late old batch, a delete or an un-delete comes out
    as on a full refresh). Hook and model read the watermark before either
    changes the table, so they agree on the set of changed records. -#}
{% macro incremental_watermark() -%}
    {#- Unit tests build from fixtures, never incrementally (and have no `this`). -#}
    {%- if execute and model.resource_type == 'model' and is_incremental() -%}
        {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
        {%- if 'source_loaded_at' not in columns -%}
            {{ exceptions.raise_compiler_error(
                this ~ " was built before it became incremental (no source_loaded_at "
                ~ "column). Rebuild it once from the raw tables: FUNNEL_FULL_REFRESH=1 "
                ~ "make run (or dbt build --full-refresh).") }}
        {%- endif -%}
        {%- set result = run_query(
            'select max(source_loaded_at) from ' ~ this
        ) -%}
        {{- return(result.rows[0][0]) -}}
    {%- endif -%}
    {{- return(none) -}}
{%- endmacro %}

{#- SQL filter: the keys of `relation` with a row loaded after the watermark;
    always true when the model is built from scratch. -#}
{% macro changed_keys_filter(relation, key_columns) -%}
    {%- set watermark = incremental_watermark() -%}
    {%- if watermark is not none -%}
        ({{ key_columns | join(', ') }}) in (
            select {{ key_columns | join(', ') }} from {{ relation }}
            where _loaded_at > cast('{{ watermark }}' as timestamp)
        )
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook of an incremental staging model: delete the staged rows of the
    changed records; the model then inserts their current state. -#}
{% macro delete_changed_records(source_relation, source_key, model_key) -%}
    {%- set watermark = incremental_watermark() -%}
    {%- if watermark is not none -%}
        delete from {{ this }}
        where {{ model_key }} in (
            select {{ source_key }} from {{ source_relation }}
            where _loaded_at > cast('{{ watermark }}' as timestamp)
        )
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
