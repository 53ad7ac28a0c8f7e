{{ config(meta={'dagster': {'ref': {'name': 'fct_campaign_attribution'}}}) }}
-- Every attribution model hands out each deal exactly once (docs/metrics.md
-- §3.19): per deal and model the weights sum to 1 and the credits to the deal's
-- amounts, to the cent; and per model the credits add up to total pipeline
-- generation (ACV at the end of the day each non-excluded deal became
-- pipeline, recounted from the opportunity versions) and to bookings (ACV of
-- the won, non-excluded deals in fct_opportunity), unattributed rows included.
-- A returned row names the model, the deal (or 'all') and what is off.
{%- set models = attribution_models() %}
with credits as (
    select * from {{ ref('fct_campaign_attribution') }}
),

per_deal as (
    select
        attribution_model,
        opportunity_id,
        sum(weight) as weight,
        sum(credited_pipeline_corp) as pipeline,
        max(pipeline_acv_corp) as pipeline_expected,
        sum(credited_won_acv_corp) as won,
        max(won_acv_corp) as won_expected
    from credits
    group by attribution_model, opportunity_id
),

deal_failures as (
    select
        attribution_model,
        opportunity_id,
        'weights sum to ' || cast(weight as {{ dbt.type_string() }}) as problem
    from per_deal
    where abs(weight - 1) > 1e-9
    union all
    select
        attribution_model,
        opportunity_id,
        'credits do not add up to the deal' as problem
    from per_deal
    where
        abs(pipeline - pipeline_expected) > 0.005
        or abs(won - won_expected) > 0.005
),

deals as (
    select
        opportunities.opportunity_id,
        opportunities.is_won,
        opportunities.acv_corp,
        opportunities.pipeline_created_date,
        at_creation.acv_corp as acv_at_creation
    from {{ ref('fct_opportunity') }} as opportunities
    left join {{ ref('fct_opportunity_version') }} as at_creation
        on
            opportunities.opportunity_id = at_creation.opportunity_id
            and {{ version_valid_on(
                'at_creation', 'opportunities.pipeline_created_date'
            ) }}
    where not opportunities.is_excluded
),

expected as (
    select
        sum(
            case
                when
                    pipeline_created_date is not null
                    then coalesce(acv_at_creation, 0)
                else 0
            end
        )
            as pipeline,
        sum(case when is_won then coalesce(acv_corp, 0) else 0 end) as won,
        count(
            case when pipeline_created_date is not null or is_won then 1 end
        ) as deals
    from deals
),

model_totals as (
    {%- for model in models %}
        select
            '{{ model }}' as attribution_model,
            coalesce(sum(credited_pipeline_corp), 0) as pipeline,
            coalesce(sum(credited_won_acv_corp), 0) as won,
            count(distinct opportunity_id) as deals
        from credits
        where attribution_model = '{{ model }}'
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

total_failures as (
    select
        model_totals.attribution_model,
        'all' as opportunity_id,
        'credits ' || cast(model_totals.pipeline as {{ dbt.type_string() }})
        || ' / ' || cast(model_totals.won as {{ dbt.type_string() }})
        || ' for ' || cast(model_totals.deals as {{ dbt.type_string() }})
        || ' deals; expected '
        || cast(expected.pipeline as {{ dbt.type_string() }})
        || ' / ' || cast(expected.won as {{ dbt.type_string() }})
        || ' for ' || cast(expected.deals as {{ dbt.type_string() }}) as problem
    from model_totals
    cross join expected
    where
        abs(model_totals.pipeline - expected.pipeline) > 0.01
        or abs(model_totals.won - expected.won) > 0.01
        or model_totals.deals <> expected.deals
)

select * from deal_failures
union all
select * from total_failures
