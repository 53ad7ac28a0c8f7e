{#- When each opportunity entered the qualified band and when it closed, as
    known at the end of as_of_date (docs/metrics.md §3.14 stages 6-7), read from
    fct_opportunity_version: qualified = the first open version in the
    qualified band; closed = the first closed version (for an opportunity
    without history, its CloseDate: a day without a time). Excluded deals are
    left out (docs/metrics.md §2.4: by their current stage). -#}
{%- set end_of_as_of = dbt.dateadd('day', 1, as_of_date()) -%}

with versions as (
    select * from {{ ref('fct_opportunity_version') }}
    where valid_from < {{ end_of_as_of }} and not is_excluded
),

opportunities as (
    select
        opportunity_id,
        created_at
    from {{ ref('stg_crm__opportunities') }}
    where created_at < {{ end_of_as_of }}
),

qualified as (
    select
        opportunity_id,
        min(valid_from) as qualified_at
    from versions
    where is_open and is_qualified
    group by opportunity_id
),

closes as (
    select
        opportunity_id,
        case
            when source = 'crm.opportunity' then cast(close_date as timestamp)
            else valid_from
        end as closed_at,
        is_won,
        source = 'crm.opportunity' as is_date_only_close
    from (
        select
            *,
            row_number() over (
                partition by opportunity_id order by version_no
            ) as close_rank
        from versions
        where not is_open
    ) as ranked
    where close_rank = 1
),

sources as (
    select distinct
        opportunity_id,
        source
    from versions
),

final as (
    select
        opportunities.opportunity_id,
        opportunities.created_at,
        qualified.qualified_at,
        closes.closed_at,
        closes.is_won,
        coalesce(closes.is_date_only_close, false) as is_date_only_close,
        sources.source
    from opportunities
    inner join sources
        on opportunities.opportunity_id = sources.opportunity_id
    left join qualified
        on opportunities.opportunity_id = qualified.opportunity_id
    left join closes
        on opportunities.opportunity_id = closes.opportunity_id
)

select * from final
