{#- Opportunities as known at the end of as_of_date (docs/metrics.md §3.1-§3.3,
    3.21): one row per opportunity created by then, its state from
    fct_opportunity_version by the end-of-day rule. pipeline_created_date is
    the first entry into the qualified band (a win counts as qualified);
    pipeline_source is the sourcing role stamped on the deal, else the
    creator's sales role. Region and segment come from the account (current
    values). Excluded deals stay, flagged with the reason. push_count counts
    the times its close date moved to a later fiscal quarter once it was
    pipeline; days_pushed the days those moves added up to. -#}
with versions as (
    select * from {{ ref('fct_opportunity_version') }}
    where valid_from_date <= {{ as_of_date() }}
),

as_of_versions as (
    select * from versions
    where {{ version_valid_on('versions', as_of_date()) }}
),

opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
),

creators as (
    select
        user_id,
        sales_role
    from {{ ref('dim_user') }}
),

accounts as (
    select
        account_id,
        region,
        segment
    from {{ ref('dim_account') }}
),

exclusions as (
    select * from {{ ref('opportunity_exclusions') }}
),

calendar as (
    select
        date_day,
        fiscal_quarter_label
    from {{ ref('dim_date') }}
),

-- Pushes count only once the deal is pipeline (in the qualified band).
pushes as (
    select
        opportunity_id,
        min(case when version_no = 1 then close_date end) as first_close_date,
        cast(sum(case when is_push then 1 else 0 end) as integer)
            as push_count,
        cast(sum(days_pushed) as integer) as days_pushed
    from {{ ref('int_opportunity_close_moves') }}
    group by opportunity_id
),

final as (
    select
        as_of_versions.opportunity_id,
        as_of_versions.account_id,
        as_of_versions.owner_id,
        cast(opportunities.created_at as date) as created_date,
        case
            when
                cast(as_of_versions.pipeline_created_at as date)
                <= {{ as_of_date() }}
                then cast(as_of_versions.pipeline_created_at as date)
        end as pipeline_created_date,
        as_of_versions.close_date,
        as_of_versions.stage_name,
        as_of_versions.stage_sort_order,
        as_of_versions.stage_band,
        as_of_versions.is_open,
        as_of_versions.is_won,
        as_of_versions.is_lost,
        as_of_versions.forecast_category,
        as_of_versions.probability,
        as_of_versions.currency_iso_code,
        as_of_versions.fx_rate,
        as_of_versions.fx_method,
        as_of_versions.amount_local,
        as_of_versions.amount_corp,
        as_of_versions.acv_local,
        as_of_versions.acv_corp,
        accounts.region,
        accounts.segment,
        coalesce(opportunities.pipeline_source, creators.sales_role)
            as pipeline_source,
        opportunities.lead_source,
        opportunities.campaign_id as primary_campaign_id,
        opportunities.type as opportunity_type,
        as_of_versions.is_excluded,
        case
            when exclusions.opportunity_id is not null
                then exclusions.excluded_reason
            when as_of_versions.is_excluded
                then 'excluded stage: ' || opportunities.stage_name
        end as excluded_reason,
        created_calendar.fiscal_quarter_label as created_fiscal_quarter,
        close_calendar.fiscal_quarter_label as close_fiscal_quarter,
        pushes.first_close_date,
        pushes.push_count,
        pushes.days_pushed
    from as_of_versions
    inner join opportunities
        on as_of_versions.opportunity_id = opportunities.opportunity_id
    left join creators
        on opportunities.created_by_id = creators.user_id
    left join accounts
        on as_of_versions.account_id = accounts.account_id
    left join exclusions
        on as_of_versions.opportunity_id = exclusions.opportunity_id
    left join calendar as created_calendar
        on cast(opportunities.created_at as date) = created_calendar.date_day
    left join calendar as close_calendar
        on as_of_versions.close_date = close_calendar.date_day
    left join pushes
        on as_of_versions.opportunity_id = pushes.opportunity_id
)

select * from final
