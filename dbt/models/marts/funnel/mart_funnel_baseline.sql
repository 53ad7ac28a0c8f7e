{#- The Act-On baseline (docs/metrics.md §3.14 "Baseline"): over the
    funnel_baseline_days days ending on as_of_date, the net-new people (first
    known inside the window) - how many entered each stage (volume: distinct
    people; entries: every cycle's entry, so a person recycled inside the
    window counts once in volume and once per cycle in entries), how many of
    the mature entries converted, how fast, and where they drop out. Next to
    it the flow ratio of the last funnel_flow_days days (entries of to_stage
    over entries of from_stage, every person; it mixes cohorts and can exceed
    1) and its gap to the baseline. -#}
{%- set baseline_days = var('funnel_baseline_days') | int -%}
{%- set flow_days = var('funnel_flow_days') | int -%}
{%- set window_start = dbt.dateadd('day', 1 - baseline_days, as_of_date()) -%}
{%- set flow_start = dbt.dateadd('day', 1 - flow_days, as_of_date()) -%}

with conversions as (
    select * from {{ ref('int_funnel__conversions') }}
),

entries as (
    select * from {{ ref('int_funnel__sliced_stage_entries') }}
),

persons as (
    select * from {{ ref('dim_person') }}
),

pairs as (
    select * from {{ ref('int_funnel__stage_pairs') }}
),

maturity as (
    select * from {{ ref('int_funnel__pair_maturity') }}
),

net_new_entries as (
    select
        conversions.*,
        dimension_types.dimension_type,
        {{ funnel_dimension_value('persons') }} as dimension_value,
        coalesce(
            {{ dbt.dateadd(
                'day', 'maturity.maturity_days', 'conversions.from_entered_date'
            ) }} <= {{ as_of_date() }},
            false
        ) as is_mature
    from conversions
    inner join persons
        on conversions.person_id = persons.person_id
    left join maturity
        on
            conversions.from_stage = maturity.from_stage
            and conversions.to_stage = maturity.to_stage
    {{ funnel_dimension_join() }}
    where
        persons.known_date between {{ window_start }} and {{ as_of_date() }}
        and conversions.from_entered_date
        between {{ window_start }} and {{ as_of_date() }}
),

baseline as (
    select
        dimension_type,
        dimension_value,
        from_stage,
        to_stage,
        count(distinct person_id) as volume,
        count(*) as entries,
        count(case when is_mature then 1 end) as mature_volume,
        count(case when is_mature and is_converted then 1 end)
            as converted_count,
        avg(case when is_mature and is_converted then velocity_days end)
            as velocity_days_mean,
        percentile_cont(0.5) within group (
            order by case when is_mature and is_converted then velocity_days end
        ) as velocity_days_median
    from net_new_entries
    group by dimension_type, dimension_value, from_stage, to_stage
),

recent_entries as (
    select
        stage,
        dimension_type,
        dimension_value,
        count(*) as entries
    from entries
    where entered_date between {{ flow_start }} and {{ as_of_date() }}
    group by stage, dimension_type, dimension_value
),

flow as (
    select
        from_entries.dimension_type,
        from_entries.dimension_value,
        pairs.from_stage,
        pairs.to_stage,
        from_entries.entries as last_30d_from_entries,
        coalesce(to_entries.entries, 0) as last_30d_to_entries
    from pairs
    inner join recent_entries as from_entries
        on pairs.from_stage = from_entries.stage
    left join recent_entries as to_entries
        on
            pairs.to_stage = to_entries.stage
            and from_entries.dimension_type = to_entries.dimension_type
            and from_entries.dimension_value = to_entries.dimension_value
),

keys as (
    select
        dimension_type,
        dimension_value,
        from_stage,
        to_stage
    from baseline
    union
    select
        dimension_type,
        dimension_value,
        from_stage,
        to_stage
    from flow
),

combined as (
    select
        keys.dimension_type,
        keys.dimension_value,
        keys.from_stage,
        keys.to_stage,
        pairs.from_stage_order,
        pairs.is_adjacent,
        coalesce(baseline.volume, 0) as volume,
        coalesce(baseline.entries, 0) as entries,
        coalesce(baseline.mature_volume, 0) as mature_volume,
        coalesce(baseline.converted_count, 0) as converted_count,
        cast(baseline.converted_count as {{ type_double() }})
        / nullif(baseline.mature_volume, 0) as conversion_rate,
        baseline.velocity_days_mean,
        baseline.velocity_days_median,
        coalesce(flow.last_30d_from_entries, 0) as last_30d_from_entries,
        coalesce(flow.last_30d_to_entries, 0) as last_30d_to_entries,
        cast(flow.last_30d_to_entries as {{ type_double() }})
        / nullif(flow.last_30d_from_entries, 0) as last_30d_conversion_rate
    from keys
    inner join pairs
        on keys.from_stage = pairs.from_stage and keys.to_stage = pairs.to_stage
    left join baseline
        on
            keys.dimension_type = baseline.dimension_type
            and keys.dimension_value = baseline.dimension_value
            and keys.from_stage = baseline.from_stage
            and keys.to_stage = baseline.to_stage
    left join flow
        on
            keys.dimension_type = flow.dimension_type
            and keys.dimension_value = flow.dimension_value
            and keys.from_stage = flow.from_stage
            and keys.to_stage = flow.to_stage
),

-- The adjacent step losing the largest share of its mature entries.
ranked as (
    select
        *,
        1 - conversion_rate as drop_off_rate,
        case
            when is_adjacent and conversion_rate is not null
                then row_number() over (
                    partition by
                        dimension_type,
                        dimension_value,
                        is_adjacent,
                        conversion_rate is null
                    order by conversion_rate, from_stage_order
                )
        end as drop_off_rank
    from combined
),

final as (
    select
        {{ as_of_date() }} as as_of_date,
        cast({{ window_start }} as date) as window_start_date,
        {{ as_of_date() }} as window_end_date,
        dimension_type,
        dimension_value,
        from_stage,
        to_stage,
        from_stage_order,
        is_adjacent,
        volume,
        entries,
        mature_volume,
        converted_count,
        conversion_rate,
        velocity_days_mean,
        velocity_days_median,
        drop_off_rate,
        coalesce(drop_off_rank = 1, false) as is_largest_drop_off,
        last_30d_from_entries,
        last_30d_to_entries,
        last_30d_conversion_rate,
        last_30d_conversion_rate / nullif(conversion_rate, 0) - 1
            as last_30d_vs_baseline_pct
    from ranked
)

select * from final
