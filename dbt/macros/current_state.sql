{#- Current state of a record from every extracted version (README, the extract contract): the
    latest by the modification stamp, then by batch order and row order.
    Records flagged in any of `deleted_columns` are dropped here (they stay in
    the raw tables); pass [] to keep them. With incremental=true (in an
    incremental model, see incremental_staging.sql) only the records changed
    since the model's watermark are computed.

    Most keys are extracted once, and a single version is its own current
    state: only keys with several versions are ranked, so a full refresh
    sorts a few percent of the rows instead of all of them (at scale l the
    activity table's ranking took 5 of its 11 seconds). -#}
{% macro current_state(
    relation,
    key_columns,
    modstamp='system_modstamp',
    deleted_columns=['is_deleted', '_fivetran_deleted'],
    incremental=false
) -%}
    {%- set changed -%}
        {%- if incremental %}{{ changed_keys_filter(relation, key_columns) }}{% else %}true{% endif -%}
    {%- endset -%}
    {#- A key may be an expression (stg_crm__opportunity_stages), so the
        repeated keys get names of their own. -#}
    {%- set same_key -%}
        {%- for column in key_columns -%}
            {% if not loop.first %} and {% endif -%}
            repeated._state_key_{{ loop.index }} is not distinct from
            {%- if modules.re.fullmatch('[A-Za-z_][A-Za-z0-9_]*', column) %} versions.{{ column }}
            {%- else %} ({{ column }}){% endif %}
        {%- endfor -%}
    {%- endset -%}
    with repeated as (
        select
            {%- for column in key_columns %}
            {{ column }} as _state_key_{{ loop.index }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        from {{ relation }}
        where {{ changed }}
        group by {{ key_columns | join(', ') }}
        having count(*) > 1
    ),

    current_versions as (
        select
            versions.*,
            1 as _version_rank
        from {{ relation }} as versions
        where
            {{ changed }}
            and not exists (select 1 from repeated where {{ same_key }})

        union all

        select *
        from (
            select
                versions.*,
                row_number() over (
                    partition by {{ key_columns | join(', ') }}
                    order by
                        {% if modstamp %}{{ modstamp }} desc nulls last,{% endif %}
                        _batch desc,
                        _row_number desc
                ) as _version_rank
            from {{ relation }} as versions
            where
                {{ changed }}
                and exists (select 1 from repeated where {{ same_key }})
        ) as ranked
        where _version_rank = 1
    )

    select *
    from current_versions
    where true
    {%- for column in deleted_columns %}
        and not coalesce({{ column }}, false)
    {%- endfor %}
{%- endmacro %}
