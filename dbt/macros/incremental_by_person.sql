{#- Per-person incremental models (README, Decisions): a model whose rows for
    a person depend only on that person's input rows (and on small lookups)
    recomputes, on an incremental run, only the people whose input changed.

    "Changed" is measured, not inferred from load times: each person's input
    rows are hashed into a digest, and the digests of the last build are kept
    in intermediate.<model>__person_digests. Whatever moved a person's rows -
    a new batch, an identity merge that moved records to another person, an
    as_of_date that let later records in or (replaying a day) kept them out -
    shows as a different digest, and a person whose input rows vanished is in
    the old digests only. The model's code and its lookups are folded into
    every digest, so changing either recomputes everyone.

    Hooks and model run in the model's one transaction: the digests are saved
    only together with the rows they describe. The model is configured as

        materialized='incremental', incremental_strategy='append',
        on_schema_change='sync_all_columns',
        pre_hook=["{{ compute_person_digests(ref('input'), [ref('lookup')]) }}",
                  "{{ find_changed_persons() }}", "{{ delete_changed_persons() }}"],
        post_hook=["{{ save_person_digests() }}",
                   "{{ drop_person_temp_tables() }}"]

    and filters its input with {{ changed_persons_filter() }}. The input's
    person_id must be not null (a not_null test upstream stops the build). -#}

{% macro person_digest_relation() -%}
    {{- return(api.Relation.create(
        database=this.database,
        schema='intermediate',
        identifier=this.identifier ~ '__person_digests',
        type='table'
    )) -}}
{%- endmacro %}

{% macro person_temp_name(suffix) -%}
    {{- return('temp.main.' ~ this.identifier ~ '__' ~ suffix) -}}
{%- endmacro %}

{#- Pre-hook: this build's digest per person. Computed on every build, full
    refreshes too, so the post-hook can save it. -#}
{% macro compute_person_digests(input_relation, context_relations=[]) -%}
    create or replace temp table {{ person_temp_name('new_digests') }} as
    select
        input_rows.person_id,
        hash(
            sum(hash(input_rows)),
            '{{ local_md5(model.raw_code) }}'
            {%- for relation in context_relations %},
            (select sum(hash(context_rows)) from {{ relation }} as context_rows)
            {%- endfor %}
        ) as digest
    from {{ input_relation }} as input_rows
    group by input_rows.person_id
{%- endmacro %}

{#- The digests the last build saved, or none. -#}
{% macro saved_person_digests() -%}
    {%- set relation = person_digest_relation() -%}
    {{- return(adapter.get_relation(
        database=relation.database,
        schema=relation.schema,
        identifier=relation.identifier
    )) -}}
{%- endmacro %}

{#- Pre-hook: the people whose digest differs from the last build's, or who
    have only one of the two. Everyone on a full build, and when there are no
    saved digests (a table built before it was incremental). -#}
{% macro find_changed_persons() -%}
    {%- set saved = saved_person_digests() -%}
    create or replace temp table {{ person_temp_name('changed_persons') }} as
    {% if not is_incremental() -%}
        select person_id from {{ person_temp_name('new_digests') }}
    {%- elif saved is none -%}
        select person_id from {{ this }}
        union
        select person_id from {{ person_temp_name('new_digests') }}
    {%- else -%}
        select coalesce(new_digests.person_id, saved.person_id) as person_id
        from {{ person_temp_name('new_digests') }} as new_digests
        full outer join {{ saved }} as saved
            on new_digests.person_id = saved.person_id
        where new_digests.digest is distinct from saved.digest
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook: the changed people's rows go; the model inserts them again. -#}
{% macro delete_changed_persons() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where person_id in (
            select person_id from {{ person_temp_name('changed_persons') }}
        )
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- Model SQL: restrict the input to the changed people on incremental runs. -#}
{% macro changed_persons_filter(column='person_id') -%}
    {%- if execute and model.resource_type == 'model' and is_incremental() -%}
        {{ column }} in (
            select person_id from {{ person_temp_name('changed_persons') }}
        )
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- Post-hook, inside the model's transaction: this build's digests replace
    the saved ones, each with the dbt invocation that last recomputed the
    person (an audit trail of what each run recomputed). Not is_incremental()
    here: after a first build the new table would make it true. -#}
{% macro save_person_digests() -%}
    {%- set saved = saved_person_digests() -%}
    create or replace table {{ person_digest_relation() }} as
    select
        new_digests.person_id,
        new_digests.digest,
        {% if saved is none -%}
            '{{ invocation_id }}'
        {%- else -%}
            case
                when changed.person_id is not null then '{{ invocation_id }}'
                else saved.computed_by_invocation_id
            end
        {%- endif %} as computed_by_invocation_id
    from {{ person_temp_name('new_digests') }} as new_digests
    {% if saved is not none -%}
        left join {{ person_temp_name('changed_persons') }} as changed
            on new_digests.person_id = changed.person_id
        left join {{ saved }} as saved
            on new_digests.person_id = saved.person_id
    {%- endif %}
{%- endmacro %}

{#- Post-hook: the temp tables go, rather than holding memory until dbt
    closes the thread's connection at the end of the run. -#}
{% macro drop_person_temp_tables() -%}
    drop table if exists {{ person_temp_name('new_digests') }};
    drop table if exists {{ person_temp_name('changed_persons') }}
{%- endmacro %}
