{#- Deals closed won or lost by as_of_date (a close date after it is not a
    close yet), not excluded, as the win rate and deal size count them
    (docs/metrics.md §3.10-§3.12): a lost deal at its last open ACV, the
    cycle from creation to close. One row per opportunity. -#}
with opportunities as (
    select * from {{ ref('fct_opportunity') }}
    where not is_excluded
),

last_open as (
    select
        opportunity_id,
        acv_corp as last_open_acv_corp
    from (
        select
            opportunity_id,
            acv_corp,
            row_number() over (
                partition by opportunity_id order by version_no desc
            ) as open_rank
        from {{ ref('fct_opportunity_version') }}
        where is_open and valid_from_date <= {{ as_of_date() }}
    ) as ranked
    where open_rank = 1
),

final as (
    select
        opportunities.opportunity_id,
        opportunities.owner_id,
        opportunities.close_date,
        opportunities.close_fiscal_quarter as fiscal_period,
        opportunities.is_won,
        case
            when opportunities.is_won then opportunities.acv_corp
            else coalesce(last_open.last_open_acv_corp, opportunities.acv_corp)
        end as acv_corp,
        {{ dbt.datediff(
            'opportunities.created_date', 'opportunities.close_date', 'day'
        ) }} as cycle_days
    from opportunities
    left join last_open
        on opportunities.opportunity_id = last_open.opportunity_id
    where
        (opportunities.is_won or opportunities.is_lost)
        and opportunities.close_date <= {{ as_of_date() }}
)

select * from final
