{#- The APM slices of each opportunity with the share of its amount that
    belongs to the slice (docs/metrics.md §2.7): 1 for total, region, segment and
    source; the product allocation share for product (Unallocated, share 1,
    for deals without line items, so product amounts add up to the total). -#}
with opportunities as (
    select * from {{ ref('fct_opportunity') }}
),

products as (
    select * from {{ ref('fct_opportunity_product') }}
),

final as (
    select
        opportunity_id,
        'total' as dimension_type,
        'total' as dimension_value,
        1.0 as allocation_share
    from opportunities

    union all

    select
        opportunity_id,
        'region' as dimension_type,
        coalesce(region, 'unknown') as dimension_value,
        1.0 as allocation_share
    from opportunities

    union all

    select
        opportunity_id,
        'segment' as dimension_type,
        coalesce(segment, 'unknown') as dimension_value,
        1.0 as allocation_share
    from opportunities

    union all

    select
        opportunity_id,
        'source' as dimension_type,
        coalesce(pipeline_source, 'unknown') as dimension_value,
        1.0 as allocation_share
    from opportunities

    union all

    select
        opportunities.opportunity_id,
        'product' as dimension_type,
        coalesce(products.product_family, 'Unallocated') as dimension_value,
        coalesce(products.allocation_share, 1.0) as allocation_share
    from opportunities
    left join products
        on opportunities.opportunity_id = products.opportunity_id
)

select * from final
