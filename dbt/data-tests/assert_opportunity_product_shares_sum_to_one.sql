{{ config(meta={'dagster': {'ref': {'name': 'fct_opportunity_product'}}}) }}
-- Allocation shares sum to 1 per opportunity with line items. A returned row
-- is an opportunity whose shares do not.
with shares as (
    select
        opportunity_id,
        sum(allocation_share) as share_total
    from {{ ref('fct_opportunity_product') }}
    group by opportunity_id
),

final as (
    select
        opportunity_id,
        share_total
    from shares
    where abs(share_total - 1) > 1e-9
)

select * from final
