with source as (
    select * from {{ source('marketing', 'visitor') }}
),

current_state as (
    {{ current_state(
        'source', ['visitor_id'], modstamp=none, deleted_columns=[]
    ) }}
),

final as (
    select
        visitor_id,
        first_seen_at,
        prospect_id,
        _batch as source_batch,
        _row_number as source_row_number
    from current_state
)

select * from final
