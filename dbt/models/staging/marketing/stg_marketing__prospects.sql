{{ config(
    materialized=incremental_where_supported(),
    on_schema_change='fail',
    pre_hook="{{ delete_changed_records(source('marketing', 'prospect'), 'prospect_id', 'prospect_id') }}"
) }}
{%- set key_columns = ['prospect_id'] -%}

with current_state as (
    {{ current_state(
        source('marketing', 'prospect'), key_columns, modstamp='updated_at', deleted_columns=['is_deleted'], incremental=true
    ) }}
),

final as (
    select
        prospect_id,
        email,
        lower(trim(email)) as email_normalised,
        created_at,
        crm_lead_id,
        crm_contact_id,
        score,
        updated_at,
        _batch as source_batch,
        _row_number as source_row_number,
        _loaded_at as source_loaded_at
    from current_state
)

select * from final
