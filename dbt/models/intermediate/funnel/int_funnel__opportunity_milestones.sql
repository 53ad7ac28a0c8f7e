{#- When each opportunity entered the qualified band and when it closed, as
    known at the end of as_of_date (metrics.md 3.14 stages 6-7, 3.15). From
    OpportunityHistory; an opportunity without any history row falls back to
    its current record. Excluded deals (duplicates, admin removals) are left
    out by their current stage (metrics.md 2.4: restatement). -#}
{%- set qualified_min = var('qualified_stage_min_sort_order') | int -%}

with opportunities as (
    select
        opportunity_id,
        stage_name,
        close_date,
        created_at
    from {{ ref('stg_crm__opportunities') }}
),

history as (
    select
        opportunity_id,
        stage_name,
        created_at
    from {{ ref('stg_crm__opportunity_history') }}
    where created_at < {{ dbt.dateadd('day', 1, as_of_date()) }}
),

stages as (
    select * from {{ ref('int_opportunity_stages') }}
),

current_opportunities as (
    select
        opportunities.*,
        coalesce(stages.is_excluded, false) as is_excluded,
        stages.sort_order,
        stages.is_closed,
        stages.is_won
    from opportunities
    left join stages
        on opportunities.stage_name = stages.stage_name
    where opportunities.created_at < {{ dbt.dateadd('day', 1, as_of_date()) }}
),

history_stages as (
    select
        history.opportunity_id,
        history.created_at,
        stages.sort_order,
        stages.is_closed,
        stages.is_won,
        stages.is_excluded
    from history
    inner join stages
        on history.stage_name = stages.stage_name
),

-- Qualified = an open stage at or after qualified_stage_min_sort_order; a deal
-- lost straight from Prospecting never qualified (a won one is inferred).
qualified_from_history as (
    select
        opportunity_id,
        min(created_at) as qualified_at
    from history_stages
    where not is_closed and sort_order >= {{ qualified_min }}
    group by opportunity_id
),

closes_from_history as (
    select
        opportunity_id,
        created_at as closed_at,
        is_won
    from (
        select
            opportunity_id,
            created_at,
            is_won,
            row_number() over (
                partition by opportunity_id order by created_at
            ) as close_rank
        from history_stages
        where is_closed and not is_excluded
    ) as ranked
    where close_rank = 1
),

with_history as (
    select distinct opportunity_id from history
),

final as (
    select
        current_opportunities.opportunity_id,
        current_opportunities.created_at,
        case
            when with_history.opportunity_id is not null
                then qualified_from_history.qualified_at
            when
                not current_opportunities.is_closed
                and current_opportunities.sort_order >= {{ qualified_min }}
                then current_opportunities.created_at
        end as qualified_at,
        case
            when with_history.opportunity_id is not null
                then closes_from_history.closed_at
            when current_opportunities.is_closed
                then cast(current_opportunities.close_date as timestamp)
        end as closed_at,
        case
            when with_history.opportunity_id is not null
                then closes_from_history.is_won
            when current_opportunities.is_closed
                then current_opportunities.is_won
        end as is_won,
        with_history.opportunity_id is null as is_date_only_close,
        case
            when with_history.opportunity_id is not null
                then 'crm.opportunity_history'
            else 'crm.opportunity'
        end as source
    from current_opportunities
    left join with_history
        on current_opportunities.opportunity_id = with_history.opportunity_id
    left join qualified_from_history
        on
            current_opportunities.opportunity_id
            = qualified_from_history.opportunity_id
    left join closes_from_history
        on
            current_opportunities.opportunity_id
            = closes_from_history.opportunity_id
    where not current_opportunities.is_excluded
)

select * from final
