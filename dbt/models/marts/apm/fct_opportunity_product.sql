{#- Product allocation of each opportunity (docs/metrics.md §2.7): the
    opportunity's ACV split over its line items' product families pro rata to
    line TotalPrice (equally when the lines total zero). Shares sum to 1 per
    opportunity with line items, so product amounts add up to the
    opportunity; counts do not (a deal with two families is in both). One row
    per opportunity and product family. -#}
with lines as (
    select
        line_items.opportunity_id,
        coalesce(products.family, 'Unknown') as product_family,
        coalesce(line_items.total_price_local, 0) as total_price_local
    from {{ ref('stg_crm__opportunity_line_items') }} as line_items
    left join {{ ref('stg_crm__products') }} as products
        on line_items.product_id = products.product_id
),

families as (
    select
        opportunity_id,
        product_family,
        sum(total_price_local) as family_price_local,
        count(*) as family_lines
    from lines
    group by opportunity_id, product_family
),

shares as (
    select
        opportunity_id,
        product_family,
        case
            when sum(family_price_local) over (partition by opportunity_id) <> 0
                then
                    cast(family_price_local as {{ type_double() }})
                    / sum(family_price_local) over (partition by opportunity_id)
            else
                cast(family_lines as {{ type_double() }})
                / sum(family_lines) over (partition by opportunity_id)
        end as allocation_share
    from families
),

final as (
    select
        opportunities.opportunity_id,
        shares.product_family,
        shares.allocation_share,
        opportunities.acv_corp * shares.allocation_share as acv_corp_allocated
    from {{ ref('fct_opportunity') }} as opportunities
    inner join shares
        on opportunities.opportunity_id = shares.opportunity_id
)

select * from final
