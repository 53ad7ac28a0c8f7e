{#- Opportunity stage metadata (docs/metrics.md §2.5): the org's
    OpportunityStage extract for what the org decides (closed, won, probability,
    forecast category), the stage_mapping seed for what this project configures
    (sort order used by the qualified band, band name, exclusion) and for stages
    the extract lacks. One row per stage name. -#}
with extracted as (
    select
        stage_name,
        is_closed,
        is_won,
        default_probability,
        {{ normalise_forecast_category('forecast_category_name') }}
            as forecast_category,
        sort_order
    from {{ ref('stg_crm__opportunity_stages') }}
),

configured as (
    select * from {{ ref('stage_mapping') }}
),

final as (
    select
        coalesce(configured.stage_name, extracted.stage_name) as stage_name,
        coalesce(configured.sort_order, extracted.sort_order) as sort_order,
        configured.stage_band,
        coalesce(extracted.is_closed, configured.is_closed) as is_closed,
        coalesce(extracted.is_won, configured.is_won) as is_won,
        coalesce(
            extracted.forecast_category, configured.forecast_category
        ) as forecast_category,
        coalesce(
            extracted.default_probability, configured.default_probability
        ) as default_probability,
        coalesce(configured.is_excluded, false) as is_excluded
    from configured
    full outer join extracted
        on configured.stage_name = extracted.stage_name
)

select * from final
