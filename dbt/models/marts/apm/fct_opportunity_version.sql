{#- Opportunity history as versions (docs/metrics.md §2.1): one row per
    opportunity and change, valid over [valid_from, valid_to). Built from
    OpportunityHistory (stage, amount, close date, probability, forecast
    category); ACV follows the amount at the opportunity's current ACV share
    (OpportunityHistory does not carry ACV__c); account, owner and currency are
    current. An opportunity without history is one version from its creation.
    The state on day D is the version with date(valid_from) <= D and (valid_to
    is null or date(valid_to) > D): the end-of-day rule, where the last change
    of a day wins. Corporate amounts use the dated rate valid on the version's
    close date (docs/metrics.md §2.3). Deleted opportunities are gone; excluded
    ones are kept and flagged. -#}
{{ config(
    materialized=incremental_where_supported(),
    incremental_strategy='append',
    on_schema_change='fail',
    meta={'digest_key': 'opportunity_id'},
    pre_hook=[
        "{{ compute_key_digests(
            [ref('stg_crm__opportunities'),
             ref('stg_crm__opportunity_history')],
            [ref('int_opportunity_stages'),
             ref('stg_crm__dated_conversion_rates'),
             ref('stg_crm__currency_types'),
             ref('opportunity_exclusions')],
            [var('corporate_currency'),
             var('qualified_stage_min_sort_order')]) }}",
        "{{ find_changed_keys() }}",
        "{{ delete_changed_keys() }}",
    ],
    post_hook=[
        "{{ save_key_digests() }}",
        "{{ drop_key_temp_tables() }}",
    ],
) }}
-- Incremental by opportunity (macros/incremental_by_key.sql): an
-- opportunity's versions depend only on its own record, its history and small
-- lookups, so a run recomputes only the opportunities whose rows changed.
with opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
    where {{ digest_changed_filter() }}
),

history as (
    select * from {{ ref('stg_crm__opportunity_history') }}
    where {{ digest_changed_filter() }}
),

stages as (
    select * from {{ ref('int_opportunity_stages') }}
),

changes as (
    select
        history.opportunity_id,
        history.opportunity_history_id as change_id,
        history.created_at as valid_from,
        history.stage_name,
        history.amount_local,
        history.close_date,
        history.probability,
        history.forecast_category as forecast_raw,
        'crm.opportunity_history' as source
    from history
    inner join opportunities
        on history.opportunity_id = opportunities.opportunity_id

    union all

    -- No history at all: the current record is the only version known.
    select
        opportunities.opportunity_id,
        opportunities.opportunity_id as change_id,
        opportunities.created_at as valid_from,
        opportunities.stage_name,
        opportunities.amount_local,
        opportunities.close_date,
        opportunities.probability,
        opportunities.forecast_category_name as forecast_raw,
        'crm.opportunity' as source
    from opportunities
    where not exists (
        select 1 from history
        where history.opportunity_id = opportunities.opportunity_id
    )
),

-- Salesforce does not order changes within a second: the history id breaks
-- ties.
sequenced as (
    select
        *,
        row_number() over (
            partition by opportunity_id order by valid_from, change_id
        ) as version_no,
        lead(valid_from) over (
            partition by opportunity_id order by valid_from, change_id
        ) as valid_to,
        -- A change row without a close date (the creation row of some orgs)
        -- takes the next one the history knows.
        {{ first_non_null(
            'close_date',
            window='partition by opportunity_id order by valid_from, change_id
                rows between current row and unbounded following',
        ) }} as filled_close_date
    from changes
),

dated_rates as (
    select
        iso_code,
        conversion_rate,
        start_date,
        coalesce(next_start_date, cast('9999-12-31' as date)) as end_date
    from {{ ref('stg_crm__dated_conversion_rates') }}
),

static_rates as (
    select
        iso_code,
        conversion_rate
    from {{ ref('stg_crm__currency_types') }}
),

versions as (
    select
        sequenced.opportunity_id,
        sequenced.version_no,
        sequenced.valid_from,
        sequenced.valid_to,
        cast(sequenced.valid_from as date) as valid_from_date,
        cast(sequenced.valid_to as date) as valid_to_date,
        sequenced.valid_to is null as is_current_version,
        sequenced.stage_name,
        stages.sort_order as stage_sort_order,
        stages.stage_band,
        not coalesce(stages.is_closed, false) as is_open,
        coalesce(stages.is_closed and stages.is_won, false) as is_won,
        coalesce(stages.is_closed and not stages.is_won, false) as is_lost,
        stages.sort_order >= {{ var('qualified_stage_min_sort_order') }}
        and not coalesce(stages.is_closed and not stages.is_won, false)
            as is_qualified,
        coalesce(
            {{ normalise_forecast_category('sequenced.forecast_raw') }},
            stages.forecast_category
        ) as forecast_category,
        coalesce(sequenced.probability, stages.default_probability)
            as probability,
        sequenced.filled_close_date as close_date,
        opportunities.currency_iso_code,
        sequenced.amount_local,
        sequenced.amount_local
        * coalesce(
            cast(opportunities.acv_local as {{ type_double() }})
            / nullif(opportunities.amount_local, 0),
            1
        ) as acv_local,
        case
            when
                opportunities.currency_iso_code
                = '{{ var("corporate_currency") }}'
                then 1.0
            else
                coalesce(
                    dated_rates.conversion_rate, static_rates.conversion_rate
                )
        end as fx_rate,
        case
            when
                opportunities.currency_iso_code
                = '{{ var("corporate_currency") }}'
                then 'corporate'
            when dated_rates.conversion_rate is not null then 'dated'
            when static_rates.conversion_rate is not null then 'static'
        end as fx_method,
        opportunities.account_id,
        opportunities.owner_id,
        -- exclusion follows the current stage (docs/metrics.md §2.4:
        -- restatement)
        coalesce(current_stages.is_excluded, false)
        or exclusions.opportunity_id is not null as is_excluded,
        sequenced.source
    from sequenced
    inner join opportunities
        on sequenced.opportunity_id = opportunities.opportunity_id
    left join stages
        on sequenced.stage_name = stages.stage_name
    left join stages as current_stages
        on opportunities.stage_name = current_stages.stage_name
    left join dated_rates
        on
            opportunities.currency_iso_code = dated_rates.iso_code
            and sequenced.filled_close_date >= dated_rates.start_date
            and sequenced.filled_close_date < dated_rates.end_date
    left join static_rates
        on opportunities.currency_iso_code = static_rates.iso_code
    left join {{ ref('opportunity_exclusions') }} as exclusions
        on sequenced.opportunity_id = exclusions.opportunity_id
),

final as (
    select
        *,
        -- ConversionRate is units per 1 corporate unit: divide (docs/metrics.md
        -- §2.3); a double on every engine (DuckDB divides decimals into one,
        -- PostgreSQL into a numeric), so the marts' types do not vary
        cast(amount_local as {{ type_double() }}) / fx_rate as amount_corp,
        cast(acv_local as {{ type_double() }}) / fx_rate as acv_corp,
        -- the pipeline-generation anchor (docs/metrics.md §3.3): first entry
        -- into the qualified band, a win counting as qualified; compare it with
        -- the day read, it may lie after it
        min(case when is_qualified or is_won then valid_from end) over (
            partition by opportunity_id
        ) as pipeline_created_at
    from versions
)

select * from final
