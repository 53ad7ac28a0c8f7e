{#- The pipeline waterfall (docs/metrics.md §3.15): for each window and
    target quarter, per slice, the quarter's open pipeline at the start, each
    bucket of movement and the open pipeline at the end, so that start + the
    buckets = end. One row per window_type x window_start_date x
    window_end_date x fiscal_period x dimension_type x dimension_value x
    bucket. Slices as in mart_apm (products by allocation share, so they add
    up to the total); start and end equal mart_apm's open_pipeline for the
    same day, quarter and slice (test assert_pipeline_waterfall_balances). -#}
with deals as (
    select * from {{ ref('int_pipeline__deal_windows') }}
),

movement as (
    select * from {{ ref('fct_pipeline_movement') }}
),

slices as (
    select * from {{ ref('int_apm__opportunity_slices') }}
),

flows as (
    select
        movement.window_type,
        movement.window_start_date,
        movement.window_end_date,
        movement.fiscal_period,
        movement.period_start_date,
        slices.dimension_type,
        slices.dimension_value,
        movement.bucket,
        sum(movement.amount_corp * slices.allocation_share) as amount_corp,
        count(distinct movement.opportunity_id) as deal_count
    from movement
    inner join slices
        on movement.opportunity_id = slices.opportunity_id
    group by
        movement.window_type,
        movement.window_start_date,
        movement.window_end_date,
        movement.fiscal_period,
        movement.period_start_date,
        slices.dimension_type,
        slices.dimension_value,
        movement.bucket
),

ends as (
    select
        deals.window_type,
        deals.window_start_date,
        deals.window_end_date,
        deals.fiscal_period,
        deals.period_start_date,
        slices.dimension_type,
        slices.dimension_value,
        sum(deals.start_acv_corp * slices.allocation_share) as start_amount,
        sum(deals.end_acv_corp * slices.allocation_share) as end_amount,
        count(distinct case when deals.in_start then deals.opportunity_id end)
            as start_deals,
        count(distinct case when deals.in_end then deals.opportunity_id end)
            as end_deals
    from deals
    inner join slices
        on deals.opportunity_id = slices.opportunity_id
    group by
        deals.window_type,
        deals.window_start_date,
        deals.window_end_date,
        deals.fiscal_period,
        deals.period_start_date,
        slices.dimension_type,
        slices.dimension_value
),

stacked as (
    select
        window_type,
        window_start_date,
        window_end_date,
        fiscal_period,
        period_start_date,
        dimension_type,
        dimension_value,
        bucket,
        amount_corp,
        deal_count
    from flows

    union all

    select
        window_type,
        window_start_date,
        window_end_date,
        fiscal_period,
        period_start_date,
        dimension_type,
        dimension_value,
        'start' as bucket,
        start_amount as amount_corp,
        start_deals as deal_count
    from ends

    union all

    select
        window_type,
        window_start_date,
        window_end_date,
        fiscal_period,
        period_start_date,
        dimension_type,
        dimension_value,
        'end' as bucket,
        end_amount as amount_corp,
        end_deals as deal_count
    from ends
),

final as (
    select
        window_type,
        window_start_date,
        window_end_date,
        fiscal_period,
        period_start_date,
        dimension_type,
        dimension_value,
        bucket,
        case bucket
            when 'start' then 0
            when 'created' then 1
            when 'pulled_in' then 2
            when 'requalified' then 3
            when 'increased' then 4
            when 'fx_revaluation' then 5
            when 'decreased' then 6
            when 'won' then 7
            when 'lost' then 8
            when 'pushed_out' then 9
            when 'slipped' then 10
            when 'pulled_out' then 11
            when 'removed' then 12
            when 'end' then 13
        end as bucket_order,
        cast(amount_corp as {{ type_double() }}) as amount_corp,
        deal_count
    from stacked
)

select * from final
