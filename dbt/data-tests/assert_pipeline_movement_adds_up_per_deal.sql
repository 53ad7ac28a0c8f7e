{{ config(meta={'dagster': {'ref': {'name': 'fct_pipeline_movement'}}}) }}
-- Every deal's buckets in a window and target quarter add up to its
-- open-pipeline ACV at the end minus at the start (docs/metrics.md §3.15), to
-- the cent. A returned row is a deal whose movement does not explain it.
with deals as (
    select * from {{ ref('int_pipeline__deal_windows') }}
),

movement as (
    select
        window_type,
        window_start_date,
        window_end_date,
        period_start_date,
        opportunity_id,
        sum(amount_corp) as moved
    from {{ ref('fct_pipeline_movement') }}
    group by
        window_type,
        window_start_date,
        window_end_date,
        period_start_date,
        opportunity_id
)

select
    deals.window_type,
    deals.window_start_date,
    deals.window_end_date,
    deals.fiscal_period,
    deals.opportunity_id,
    deals.outcome,
    deals.end_acv_corp - deals.start_acv_corp as acv_change,
    coalesce(movement.moved, 0) as moved
from deals
left join movement
    on
        deals.window_type = movement.window_type
        and deals.window_start_date = movement.window_start_date
        and deals.window_end_date = movement.window_end_date
        and deals.period_start_date = movement.period_start_date
        and deals.opportunity_id = movement.opportunity_id
where
    abs(
        deals.end_acv_corp - deals.start_acv_corp - coalesce(movement.moved, 0)
    )
    > 0.005
