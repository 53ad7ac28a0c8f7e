{#- Current state of a record from every extracted version (SPEC 4.1): the
    latest by the modification stamp, then by batch order and row order.
    Records flagged in any of `deleted_columns` are dropped here (they stay in
    the raw tables); pass [] to keep them. With incremental=true (in an
    incremental model, see incremental_staging.sql) only the records changed
    since the model's watermark are computed. -#}
{% macro current_state(
    relation,
    key_columns,
    modstamp='system_modstamp',
    deleted_columns=['is_deleted', '_fivetran_deleted'],
    incremental=false
) -%}
    select *
    from (
        select
            *,
            row_number() over (
                partition by {{ key_columns | join(', ') }}
                order by
                    {% if modstamp %}{{ modstamp }} desc nulls last,{% endif %}
                    _batch desc,
                    _row_number desc
            ) as _version_rank
        from {{ relation }}
        {%- if incremental %}
        where {{ changed_keys_filter(relation, key_columns) }}
        {%- endif %}
    ) as ranked
    where _version_rank = 1
    {%- for column in deleted_columns %}
        and not coalesce({{ column }}, false)
    {%- endfor %}
{%- endmacro %}
