{%- set key_columns = ['prospect_id'] -%}

with source as (
    select * from {{ source('marketing', 'prospect') }}
),

latest as (
    {{ current_state(
        'source', key_columns, modstamp='updated_at', deleted=false
    ) }}
),

current_state as (
    select * from latest
    where not coalesce(is_deleted, false)
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
        _row_number as source_row_number
    from current_state
)

select * from final
