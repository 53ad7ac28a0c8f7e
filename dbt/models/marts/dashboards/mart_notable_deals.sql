{#- Notable deals for State of the Union (docs/metrics.md §3.23), as known at
    the end of as_of_date: per fiscal month (the current one to as_of_date and
    the one before), the sotu_top_n largest deals won, lost (at their last
    open ACV), pushed (their close date moved to a later fiscal quarter that
    month, after they became pipeline) and created; and for the current
    fiscal quarter the largest open deals closing in it. Excluded deals are
    left out. Ranked by ACV in corporate currency (ties by opportunity id).
    One row per period_start_date x category x deal_rank. -#}
{%- set top_n = var('sotu_top_n') | int -%}
with calendar as (
    select * from {{ ref('dim_date') }}
),

as_of_day as (
    select
        fiscal_quarter_label,
        fiscal_quarter_start_date,
        fiscal_quarter_end_date,
        month_start_date
    from calendar
    where date_day = {{ as_of_date() }}
),

months as (
    select
        case
            when calendar.month_start_date = as_of_day.month_start_date
                then 'month'
            else 'previous_month'
        end as period_type,
        min(calendar.fiscal_year_label) || '-M'
        || case when min(calendar.fiscal_month) < 10 then '0' else '' end
        || cast(min(calendar.fiscal_month) as {{ dbt.type_string() }})
            as period_label,
        calendar.month_start_date as period_start_date,
        least(max(calendar.date_day), {{ as_of_date() }}) as to_date_end
    from calendar
    cross join as_of_day
    where
        calendar.month_start_date <= as_of_day.month_start_date
        and calendar.month_start_date
        >= {{ dbt.dateadd('month', -1, 'as_of_day.month_start_date') }}
    group by calendar.month_start_date, as_of_day.month_start_date
),

opportunities as (
    select * from {{ ref('fct_opportunity') }}
    where not is_excluded
),

pushes as (
    select
        opportunity_id,
        valid_from_date as push_date,
        previous_close_date as close_date_before_push,
        close_date as close_date_after_push
    from {{ ref('int_opportunity_close_moves') }}
    where is_push
),

candidates as (
    select
        'won' as category,
        closed.opportunity_id,
        closed.close_date as event_date,
        cast(null as date) as close_date_before_push,
        cast(null as date) as close_date_after_push,
        closed.acv_corp
    from {{ ref('int_apm__closed_deals') }} as closed
    where closed.is_won
    union all
    select
        'lost' as category,
        closed.opportunity_id,
        closed.close_date as event_date,
        cast(null as date) as close_date_before_push,
        cast(null as date) as close_date_after_push,
        closed.acv_corp
    from {{ ref('int_apm__closed_deals') }} as closed
    where not closed.is_won
    union all
    select
        'pushed' as category,
        pushes.opportunity_id,
        pushes.push_date as event_date,
        pushes.close_date_before_push,
        pushes.close_date_after_push,
        opportunities.acv_corp
    from pushes
    inner join opportunities
        on pushes.opportunity_id = opportunities.opportunity_id
    union all
    select
        'created' as category,
        opportunity_id,
        created_date as event_date,
        cast(null as date) as close_date_before_push,
        cast(null as date) as close_date_after_push,
        acv_corp
    from opportunities
    where created_date <= {{ as_of_date() }}
),

-- A deal pushed twice in a month shows once, at its last push.
in_months as (
    select
        period_type,
        period_label,
        period_start_date,
        to_date_end,
        category,
        opportunity_id,
        event_date,
        close_date_before_push,
        close_date_after_push,
        acv_corp
    from (
        select
            months.*,
            candidates.category,
            candidates.opportunity_id,
            candidates.event_date,
            candidates.close_date_before_push,
            candidates.close_date_after_push,
            coalesce(candidates.acv_corp, 0) as acv_corp,
            row_number() over (
                partition by
                    months.period_start_date,
                    candidates.category,
                    candidates.opportunity_id
                order by
                    candidates.event_date desc,
                    candidates.close_date_after_push desc
            ) as event_rank
        from candidates
        inner join months
            on
                candidates.event_date >= months.period_start_date
                and candidates.event_date <= months.to_date_end
    ) as dated
    where event_rank = 1
),

closing_this_quarter as (
    select
        'quarter' as period_type,
        as_of_day.fiscal_quarter_label as period_label,
        as_of_day.fiscal_quarter_start_date as period_start_date,
        cast({{ as_of_date() }} as date) as to_date_end,
        'open_closing_this_quarter' as category,
        opportunities.opportunity_id,
        opportunities.close_date as event_date,
        cast(null as date) as close_date_before_push,
        cast(null as date) as close_date_after_push,
        coalesce(opportunities.acv_corp, 0) as acv_corp
    from opportunities
    cross join as_of_day
    where
        opportunities.is_open
        and opportunities.close_date >= as_of_day.fiscal_quarter_start_date
        and opportunities.close_date <= as_of_day.fiscal_quarter_end_date
),

ranked as (
    select
        *,
        row_number() over (
            partition by period_start_date, period_type, category
            order by acv_corp desc, opportunity_id asc
        ) as deal_rank
    from (
        select * from in_months
        union all
        select * from closing_this_quarter
    ) as listed
),

final as (
    select
        {{ as_of_date() }} as as_of_date,
        ranked.period_type,
        ranked.period_label,
        ranked.period_start_date,
        ranked.to_date_end,
        ranked.category,
        cast(ranked.deal_rank as integer) as deal_rank,
        ranked.opportunity_id,
        opportunity_names.name as opportunity_name,
        opportunities.account_id,
        account_names.account_name,
        opportunities.owner_id,
        owners.user_name as owner_name,
        managers.user_name as manager_name,
        opportunities.stage_name,
        opportunities.forecast_category,
        opportunities.close_date,
        ranked.close_date_before_push,
        ranked.close_date_after_push,
        ranked.event_date,
        cast(ranked.acv_corp as {{ type_double() }}) as acv_corp,
        opportunities.region,
        opportunities.segment,
        opportunities.pipeline_source
    from ranked
    inner join opportunities
        on ranked.opportunity_id = opportunities.opportunity_id
    left join {{ ref('stg_crm__opportunities') }} as opportunity_names
        on ranked.opportunity_id = opportunity_names.opportunity_id
    left join {{ ref('dim_account') }} as account_names
        on opportunities.account_id = account_names.account_id
    left join {{ ref('dim_user') }} as owners
        on opportunities.owner_id = owners.user_id
    left join {{ ref('dim_user') }} as managers
        on owners.manager_id = managers.user_id
    where ranked.deal_rank <= {{ top_n }}
)

select * from final
