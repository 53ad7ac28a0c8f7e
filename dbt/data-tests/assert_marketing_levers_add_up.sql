{{ config(meta={'dagster': {'ref': {'name': 'mart_marketing_levers'}}}) }}
-- The lever table adds up (docs/metrics.md §3.19): per fiscal quarter and
-- attribution model, the sourced pipeline and won ACV of the levers' 'all'
-- rows, and of their lead-source rows, equal what fct_campaign_attribution
-- credits in that quarter (unattributed included), and the cost equals the
-- actual cost of the campaigns starting in it. A returned row is a quarter,
-- model and measure that does not add up.
{%- set models = attribution_models() %}
with levers as (
    select * from {{ ref('mart_marketing_levers') }}
),

lever_sums as (
    {%- for model in models %}
        select
            fiscal_period,
            '{{ model }}' as attribution_model,
            sum(
                case
                    when
                        lead_source = 'all'
                        then sourced_pipeline_{{ model }}
                    else
                        0
                end
            )
                as pipeline_all,
            sum(
                case
                    when
                        lead_source <> 'all'
                        then sourced_pipeline_{{ model }}
                    else
                        0
                end
            )
                as pipeline_by_source,
            sum(
                case
                    when lead_source = 'all' then won_acv_{{ model }} else 0
                end
            )
                as won_all,
            sum(
                case
                    when lead_source <> 'all' then won_acv_{{ model }} else 0
                end
            )
                as won_by_source
        from levers
        group by fiscal_period
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

calendar as (
    select
        date_day,
        fiscal_quarter_label
    from {{ ref('dim_date') }}
),

credited as (
    select
        calendar.fiscal_quarter_label as fiscal_period,
        credits.attribution_model,
        sum(credits.credited_pipeline_corp) as pipeline,
        0 as won
    from {{ ref('fct_campaign_attribution') }} as credits
    inner join calendar on credits.pipeline_created_date = calendar.date_day
    group by calendar.fiscal_quarter_label, credits.attribution_model
    union all
    select
        calendar.fiscal_quarter_label as fiscal_period,
        credits.attribution_model,
        0 as pipeline,
        sum(credits.credited_won_acv_corp) as won
    from {{ ref('fct_campaign_attribution') }} as credits
    inner join calendar on credits.close_date = calendar.date_day
    where credits.is_won
    group by calendar.fiscal_quarter_label, credits.attribution_model
),

credited_sums as (
    select
        fiscal_period,
        attribution_model,
        sum(pipeline) as pipeline,
        sum(won) as won
    from credited
    group by fiscal_period, attribution_model
),

costs as (
    select
        calendar.fiscal_quarter_label as fiscal_period,
        sum(campaigns.actual_cost) as actual_cost
    from {{ ref('dim_campaign') }} as campaigns
    inner join calendar on campaigns.start_date = calendar.date_day
    group by calendar.fiscal_quarter_label
),

lever_costs as (
    select
        fiscal_period,
        sum(actual_cost) as actual_cost
    from levers
    where lead_source = 'all'
    group by fiscal_period
)

select
    coalesce(lever_sums.fiscal_period, credited_sums.fiscal_period)
        as fiscal_period,
    coalesce(lever_sums.attribution_model, credited_sums.attribution_model)
        as attribution_model,
    'sourced pipeline or won ACV' as measure
from lever_sums
full outer join credited_sums
    on
        lever_sums.fiscal_period = credited_sums.fiscal_period
        and lever_sums.attribution_model = credited_sums.attribution_model
where
    abs(
        coalesce(lever_sums.pipeline_all, 0)
        - coalesce(credited_sums.pipeline, 0)
    )
    > 0.01
    or abs(
        coalesce(lever_sums.pipeline_by_source, 0)
        - coalesce(credited_sums.pipeline, 0)
    )
    > 0.01
    or abs(coalesce(lever_sums.won_all, 0) - coalesce(credited_sums.won, 0))
    > 0.01
    or abs(
        coalesce(lever_sums.won_by_source, 0) - coalesce(credited_sums.won, 0)
    )
    > 0.01
union all
select
    coalesce(costs.fiscal_period, lever_costs.fiscal_period) as fiscal_period,
    'all' as attribution_model,
    'actual cost' as measure
from costs
full outer join lever_costs on costs.fiscal_period = lever_costs.fiscal_period
where
    abs(coalesce(costs.actual_cost, 0) - coalesce(lever_costs.actual_cost, 0))
    > 0.01
