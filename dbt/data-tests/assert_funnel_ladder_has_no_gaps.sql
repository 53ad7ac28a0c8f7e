{{ config(meta={'dagster': {'ref': {'name': 'fct_funnel_stage_event'}}}) }}
-- Inclusive ladder: a funnel cycle that reached stage k has a row for every
-- ladder stage from known up to k (so counts never rise down the ladder
-- within any cohort). A returned row is a cycle with a missing stage.
with events as (
    select * from {{ ref('fct_funnel_stage_event') }}
),

ladder_orders as (
    select distinct stage_order from {{ ref('funnel_stage') }}
),

found as (
    select distinct
        person_id,
        cycle_no,
        stage_order
    from events
),

cycles as (
    select
        person_id,
        cycle_no,
        max(stage_order) as top_order
    from events
    group by person_id, cycle_no
),

expected as (
    select
        cycles.person_id,
        cycles.cycle_no,
        ladder_orders.stage_order
    from cycles
    inner join ladder_orders
        on ladder_orders.stage_order between 1 and cycles.top_order
),

final as (
    select expected.*
    from expected
    left join found
        on
            expected.person_id = found.person_id
            and expected.cycle_no = found.cycle_no
            and expected.stage_order = found.stage_order
    where found.person_id is null
)

select * from final
