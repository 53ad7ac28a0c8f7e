{{ config(meta={'dagster': {'ref': {'name': 'mart_apm'}}}) }}
-- The product dimension is many-to-one with allocation shares summing to 1,
-- so for every amount metric the product rows add up to the total row
-- (docs/metrics.md §2.7). A returned row is a cell where they do not.
with apm as (
    select * from {{ ref('mart_apm') }}
    where metric not like 'coverage_%'
),

products as (
    select
        as_of_date,
        fiscal_period,
        metric,
        sum(value) as product_value
    from apm
    where dimension_type = 'product'
    group by as_of_date, fiscal_period, metric
),

totals as (
    select
        as_of_date,
        fiscal_period,
        metric,
        value as total_value
    from apm
    where dimension_type = 'total'
),

final as (
    select
        totals.as_of_date,
        totals.fiscal_period,
        totals.metric,
        totals.total_value,
        products.product_value
    from totals
    left join products
        on
            totals.as_of_date = products.as_of_date
            and totals.fiscal_period = products.fiscal_period
            and totals.metric = products.metric
    where
        abs(totals.total_value - coalesce(products.product_value, 0))
        > 0.01
)

select * from final
