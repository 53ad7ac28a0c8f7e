{#- Incremental by key (README, Decisions): a model whose rows for one key (a
    person, an opportunity) depend only on that key's input rows, small
    lookups and settings recomputes, on an incremental run, only the keys
    whose input changed.

    "Changed" is measured, not inferred from load times: each key's input rows
    are hashed into a digest, and the digests of the last build are kept in
    intermediate.<model>__digests. Whatever moved a key's rows - a new batch,
    an identity merge that moved records to another person, an as_of_date that
    let later records in or (replaying a day) kept them out - shows as a
    different digest, and a key whose input rows vanished is in the old
    digests only. The model's code, its lookups and the settings (vars) it
    reads are folded into every digest, so changing any of them recomputes
    everything. The code of macros it calls is not: after changing one, run once
    with FUNNEL_FULL_REFRESH=1 (dbt --full-refresh).

    Hooks and model run in the model's one transaction: the digests are saved
    only together with the rows they describe. The model is configured as

        materialized='incremental', incremental_strategy='append',
        on_schema_change='sync_all_columns',
        meta={'digest_key': 'opportunity_id'},
        pre_hook=["{{ compute_key_digests([ref('input')], [ref('lookup')],
                                          [var('setting')]) }}",
                  "{{ find_changed_keys() }}", "{{ delete_changed_keys() }}"],
        post_hook=["{{ save_key_digests() }}", "{{ drop_key_temp_tables() }}"]

    and filters each input with {{ digest_changed_filter() }}. Every input has
    the key column, not null (a not_null test upstream stops the build).
    A published mart says on_schema_change='fail' instead: its columns are a
    contract (dbt_project.yml), and a change of them needs a full refresh. -#}

{#- On an engine whose incremental models are rebuilt as tables (Spark, see
    incremental_where_supported), the hooks keep no digests: `select 1`. -#}

{% macro digest_key() -%}
    {#- config.get gives a placeholder, not the dict, while dbt parses -#}
    {%- set meta = config.get('meta') -%}
    {%- set key = meta.get('digest_key') if meta is mapping else none -%}
    {%- if execute and not key -%}
        {{- exceptions.raise_compiler_error(
            this.identifier ~ ': an incremental-by-key model names its key '
            ~ "in config(meta={'digest_key': '<column>'})"
        ) -}}
    {%- endif -%}
    {{- return(key or 'digest_key') -}}
{%- endmacro %}

{% macro key_digest_relation() -%}
    {{- return(api.Relation.create(
        database=this.database,
        schema='intermediate',
        identifier=this.identifier ~ '__digests',
        type='table'
    )) -}}
{%- endmacro %}

{% macro key_temp_name(suffix) -%}
    {{- return(temp_relation(this.identifier ~ '__' ~ suffix)) -}}
{%- endmacro %}

{#- Pre-hook: this build's digest per key. Computed on every build, full
    refreshes too, so the post-hook can save it. Each input's rows are summed
    apart and tagged with the input's place, so a row moving between inputs
    changes the digest. -#}
{% macro compute_key_digests(inputs, lookups=[], settings=[]) -%}
    {%- if incremental_where_supported() != 'incremental' %}
    select 1
    {%- else %}
    {%- set key = digest_key() -%}
    {%- set parts = [
        'sum(digest)',
        "'" ~ local_md5(model.raw_code) ~ "'",
        "'" ~ local_md5(tojson(settings)) ~ "'",
    ] -%}
    {%- for relation in lookups -%}
        {%- do parts.append(
            '(select sum(' ~ row_hash('lookup_rows') ~ ') from '
            ~ relation ~ ' as lookup_rows)'
        ) -%}
    {%- endfor -%}
    {% call create_or_replace_table(key_temp_name('new_digests'), temporary=true) %}
    with input_digests as (
        {%- for relation in inputs %}
            select
                input_rows.{{ key }} as digest_key,
                {{ hash_values([loop.index | string, 'sum(' ~ row_hash('input_rows') ~ ')']) }}
                    as digest
            from {{ relation }} as input_rows
            group by input_rows.{{ key }}
            {%- if not loop.last %}
            union all
            {%- endif %}
        {%- endfor %}
    )

    select
        digest_key,
        {{ hash_values(parts) }} as digest
    from input_digests
    group by digest_key
    {% endcall %}
    {%- endif %}
{%- endmacro %}

{#- The digests the last build saved, or none. -#}
{% macro saved_key_digests() -%}
    {%- set relation = key_digest_relation() -%}
    {{- return(adapter.get_relation(
        database=relation.database,
        schema=relation.schema,
        identifier=relation.identifier
    )) -}}
{%- endmacro %}

{#- Pre-hook: the keys whose digest differs from the last build's, or that
    have only one of the two. Every key on a full build, and when there are
    no saved digests (a table built before it was incremental, or by an older
    version of this macro). -#}
{% macro find_changed_keys() -%}
    {%- if incremental_where_supported() != 'incremental' %}
    select 1
    {%- else %}
    {%- set saved = saved_key_digests() -%}
    {% call create_or_replace_table(key_temp_name('changed_keys'), temporary=true) %}
    {% if not is_incremental() -%}
        select digest_key from {{ key_temp_name('new_digests') }}
    {%- elif saved is none -%}
        select {{ digest_key() }} as digest_key from {{ this }}
        union
        select digest_key from {{ key_temp_name('new_digests') }}
    {%- else -%}
        select coalesce(new_digests.digest_key, saved.digest_key) as digest_key
        from {{ key_temp_name('new_digests') }} as new_digests
        full outer join {{ saved }} as saved
            on new_digests.digest_key = saved.digest_key
        where new_digests.digest is distinct from saved.digest
    {%- endif %}
    {% endcall %}
    {%- endif %}
{%- endmacro %}

{#- Pre-hook: the changed keys' rows go; the model inserts them again. -#}
{% macro delete_changed_keys() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where {{ digest_key() }} in (
            select digest_key from {{ key_temp_name('changed_keys') }}
        )
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- Model SQL: restrict an input to the changed keys on incremental runs. -#}
{% macro digest_changed_filter() -%}
    {%- if execute and model.resource_type == 'model' and is_incremental() -%}
        {{ digest_key() }} in (
            select digest_key from {{ key_temp_name('changed_keys') }}
        )
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- Post-hook, inside the model's transaction: this build's digests replace
    the saved ones, each with the dbt invocation that last recomputed the key
    (an audit trail of what each run recomputed). Not is_incremental() here:
    after a first build the new table would make it true. -#}
{% macro save_key_digests() -%}
    {%- if incremental_where_supported() != 'incremental' %}
    select 1
    {%- else %}
    {%- set saved = saved_key_digests() -%}
    {% call create_or_replace_table(key_digest_relation()) %}
    select
        new_digests.digest_key,
        new_digests.digest,
        {% if saved is none -%}
            '{{ invocation_id }}'
        {%- else -%}
            case
                when changed.digest_key is not null then '{{ invocation_id }}'
                else saved.computed_by_invocation_id
            end
        {%- endif %} as computed_by_invocation_id
    from {{ key_temp_name('new_digests') }} as new_digests
    {% if saved is not none -%}
        left join {{ key_temp_name('changed_keys') }} as changed
            on new_digests.digest_key = changed.digest_key
        left join {{ saved }} as saved
            on new_digests.digest_key = saved.digest_key
    {%- endif %}
    {% endcall %}
    {%- endif %}
{%- endmacro %}

{#- Post-hook: the temp tables go, rather than holding memory until dbt
    closes the thread's connection at the end of the run. -#}
{% macro drop_key_temp_tables() -%}
    {%- if incremental_where_supported() != 'incremental' %}
    select 1
    {%- else %}
    drop table if exists {{ key_temp_name('new_digests') }};
    drop table if exists {{ key_temp_name('changed_keys') }}
    {%- endif %}
{%- endmacro %}
