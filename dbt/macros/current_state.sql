{#- Current state of a record from every extracted version (SPEC 4.1): the latest by the
    modification stamp, then by batch order and row order; deleted records are dropped here
    (they stay in the raw tables). -#}
{% macro current_state(relation, key_columns, modstamp='system_modstamp', deleted=true) -%}
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
    ) as ranked
    where _version_rank = 1
    {%- if deleted %}
        and not {{ is_deleted() }}
    {%- endif %}
{%- endmacro %}

{#- Salesforce's IsDeleted or Fivetran's soft delete. -#}
{% macro is_deleted() -%}
    (coalesce(is_deleted, false) or coalesce(_fivetran_deleted, false))
{%- endmacro %}
