-- Within a funnel cycle, a later stage is never entered before an earlier
-- one (after inference and repair). A returned row breaks that order.
with events as (
    select
        person_id,
        cycle_no,
        stage,
        entered_at,
        lag(entered_at) over (
            partition by person_id, cycle_no
            order by stage_order, entered_at
        ) as previous_entered_at
    from {{ ref('fct_funnel_stage_event') }}
),

final as (
    select
        person_id,
        cycle_no,
        stage,
        entered_at,
        previous_entered_at
    from events
    where entered_at < previous_entered_at
)

select * from final
