{#- Cohort conversion (metrics.md 3.14 "Cohort method", 6.7): of the people
    who entered from_stage in a cohort period, how many reached to_stage in the
    same funnel cycle by as_of_date, and how fast. Inclusive mode counts every
    entry (inferred ones too); strict mode only the in-order path. Rates are
    converted_count / entered_count at this grain; totals are counted from the
    base rows, never by adding slices. -#}
with conversions as (
    select
        *,
        cast({{ dbt.date_trunc('month', 'from_entered_date') }} as date)
            as cohort_month_start,
        {{ fiscal_quarter_start('from_entered_date') }} as cohort_quarter_start
    from {{ ref('int_funnel__conversions') }}
),

persons as (
    select * from {{ ref('dim_person') }}
),

maturity as (
    select * from {{ ref('int_funnel__pair_maturity') }}
),

modes as (
    select 'inclusive' as mode
    union all
    select 'strict' as mode
),

grains as (
    select 'month' as cohort_grain
    union all
    select 'quarter' as cohort_grain
),

entries as (
    select
        conversions.person_id,
        conversions.from_stage,
        conversions.to_stage,
        conversions.from_stage_order,
        modes.mode,
        grains.cohort_grain,
        case grains.cohort_grain
            when 'month' then conversions.cohort_month_start
            else conversions.cohort_quarter_start
        end as cohort_start_date,
        conversions.is_converted
        and (modes.mode = 'inclusive' or conversions.to_is_strict)
            as is_converted,
        conversions.velocity_days,
        conversions.is_inferred_hop
    from conversions
    cross join modes
    cross join grains
    where modes.mode = 'inclusive' or conversions.from_is_strict
),

sliced as (
    select
        entries.*,
        dimension_types.dimension_type,
        {{ funnel_dimension_value('persons') }} as dimension_value
    from entries
    inner join persons
        on entries.person_id = persons.person_id
    {{ funnel_dimension_join() }}
),

aggregated as (
    select
        cohort_grain,
        cohort_start_date,
        mode,
        dimension_type,
        dimension_value,
        from_stage,
        to_stage,
        min(from_stage_order) as from_stage_order,
        count(*) as entered_count,
        sum(case when is_converted then 1 else 0 end) as converted_count,
        avg(case when is_converted then velocity_days end)
            as velocity_days_mean,
        percentile_cont(0.5) within group (
            order by case when is_converted then velocity_days end
        ) as velocity_days_median,
        percentile_cont(0.75) within group (
            order by case when is_converted then velocity_days end
        ) as velocity_days_p75,
        sum(case when is_converted and is_inferred_hop then 1 else 0 end)
            as inferred_hop_count
    from sliced
    group by
        cohort_grain,
        cohort_start_date,
        mode,
        dimension_type,
        dimension_value,
        from_stage,
        to_stage
),

bounded as (
    select
        aggregated.*,
        cast(
            {{ dbt.dateadd(
                'day', -1,
                dbt.dateadd(
                    'month',
                    "case aggregated.cohort_grain when 'month' then 1 else 3 end",
                    'aggregated.cohort_start_date'
                )
            ) }} as date
        ) as cohort_end_date,
        maturity.maturity_days
    from aggregated
    left join maturity
        on
            aggregated.from_stage = maturity.from_stage
            and aggregated.to_stage = maturity.to_stage
),

final as (
    select
        {{ as_of_date() }} as as_of_date,
        cohort_grain,
        cohort_start_date,
        cohort_end_date,
        mode,
        dimension_type,
        dimension_value,
        from_stage,
        to_stage,
        from_stage_order,
        entered_count,
        converted_count,
        converted_count * 1.0 / nullif(entered_count, 0) as conversion_rate,
        velocity_days_mean,
        velocity_days_median,
        velocity_days_p75,
        inferred_hop_count,
        maturity_days,
        coalesce(
            {{ dbt.dateadd('day', 'maturity_days', 'cohort_end_date') }}
            <= {{ as_of_date() }},
            false
        ) as is_mature
    from bounded
)

select * from final
