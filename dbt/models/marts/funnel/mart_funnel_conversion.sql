{#- Cohort conversion (docs/metrics.md §3.14, cohort): of the people who entered
    from_stage in a cohort period, how many reached to_stage in the same funnel
    cycle by as_of_date, and how fast. Inclusive mode counts every entry
    (inferred ones too); strict mode only the in-order path. Rates are
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

-- Counts and means add up, so they are summed from one row per combination
-- of cohort, pair, flags and person slice values (about 2% of the entries)
-- before the rows are multiplied by mode, grain and slice.
combinations as (
    select
        conversions.from_stage,
        conversions.to_stage,
        conversions.from_stage_order,
        conversions.cohort_month_start,
        conversions.cohort_quarter_start,
        conversions.from_is_strict,
        conversions.to_is_strict,
        conversions.is_converted,
        conversions.is_inferred_hop,
        persons.lead_source,
        persons.region,
        persons.segment,
        persons.channel,
        count(*) as entry_count,
        sum(conversions.velocity_days) as velocity_days_sum
    from conversions
    inner join persons
        on conversions.person_id = persons.person_id
    group by
        conversions.from_stage,
        conversions.to_stage,
        conversions.from_stage_order,
        conversions.cohort_month_start,
        conversions.cohort_quarter_start,
        conversions.from_is_strict,
        conversions.to_is_strict,
        conversions.is_converted,
        conversions.is_inferred_hop,
        persons.lead_source,
        persons.region,
        persons.segment,
        persons.channel
),

sliced_combinations as (
    select
        grains.cohort_grain,
        case grains.cohort_grain
            when 'month' then combinations.cohort_month_start
            else combinations.cohort_quarter_start
        end as cohort_start_date,
        modes.mode,
        dimension_types.dimension_type,
        {{ funnel_dimension_value('combinations') }} as dimension_value,
        combinations.from_stage,
        combinations.to_stage,
        combinations.from_stage_order,
        combinations.is_converted
        and (modes.mode = 'inclusive' or combinations.to_is_strict)
            as is_converted,
        combinations.is_inferred_hop,
        combinations.entry_count,
        combinations.velocity_days_sum
    from combinations
    cross join modes
    cross join grains
    {{ funnel_dimension_join() }}
    where modes.mode = 'inclusive' or combinations.from_is_strict
),

counted as (
    select
        cohort_grain,
        cohort_start_date,
        mode,
        dimension_type,
        dimension_value,
        from_stage,
        to_stage,
        min(from_stage_order) as from_stage_order,
        cast(sum(entry_count) as bigint) as entered_count,
        cast(sum(case when is_converted then entry_count else 0 end) as bigint)
            as converted_count,
        sum(case when is_converted then velocity_days_sum end)
        / sum(case when is_converted then entry_count end)
            as velocity_days_mean,
        cast(sum(
            case
                when is_converted and is_inferred_hop then entry_count else 0
            end
        ) as bigint) as inferred_hop_count
    from sliced_combinations
    group by
        cohort_grain,
        cohort_start_date,
        mode,
        dimension_type,
        dimension_value,
        from_stage,
        to_stage
),

-- Quantiles do not add up: they need every converted entry's velocity.
converted as (
    select
        conversions.person_id,
        conversions.from_stage,
        conversions.to_stage,
        modes.mode,
        grains.cohort_grain,
        case grains.cohort_grain
            when 'month' then conversions.cohort_month_start
            else conversions.cohort_quarter_start
        end as cohort_start_date,
        conversions.velocity_days
    from conversions
    cross join modes
    cross join grains
    where
        conversions.is_converted
        and (
            modes.mode = 'inclusive'
            or (conversions.from_is_strict and conversions.to_is_strict)
        )
),

-- One aggregate per slice type over the converted entries (DuckDB computes
-- this CTE once for all five), instead of first multiplying every entry by
-- its five slices: the same rows, and the model at l took 3.6 to 3.9 s
-- instead of 4.0 to 5.1 s in alternating runs.
sliced_converted as (
    select
        converted.cohort_grain,
        converted.cohort_start_date,
        converted.mode,
        converted.from_stage,
        converted.to_stage,
        {%- for dimension_type in funnel_slice_types() %}
            {{ funnel_slice_value('persons', dimension_type) }}
                as {{ dimension_type }},
        {%- endfor %}
        converted.velocity_days
    from converted
    inner join persons
        on converted.person_id = persons.person_id
),

velocity_quantiles as (
    {%- for dimension_type in funnel_dimension_types() %}
        select
            cohort_grain,
            cohort_start_date,
            mode,
            '{{ dimension_type }}' as dimension_type,
            {%- if dimension_type == 'total' %}
                'total' as dimension_value,
            {%- else %}
                {{ dimension_type }} as dimension_value,
            {%- endif %}
            from_stage,
            to_stage,
            -- both quantiles from one sorted state, not two (1.5 s of 7 at l)
            {{ quantiles_cont('velocity_days', [0.5, 0.75]) }}
                as velocity_days_quantiles
        from sliced_converted
        group by
            cohort_grain,
            cohort_start_date,
            mode,
            {%- if dimension_type != 'total' %}
                {{ dimension_type }},
            {%- endif %}
            from_stage,
            to_stage
        {%- if not loop.last %}

            union all
        {% endif %}
    {%- endfor %}
),

aggregated as (
    select
        counted.cohort_grain,
        counted.cohort_start_date,
        counted.mode,
        counted.dimension_type,
        counted.dimension_value,
        counted.from_stage,
        counted.to_stage,
        counted.from_stage_order,
        counted.entered_count,
        counted.converted_count,
        counted.velocity_days_mean,
        {{ array_element('velocity_quantiles.velocity_days_quantiles', 1) }}
            as velocity_days_median,
        {{ array_element('velocity_quantiles.velocity_days_quantiles', 2) }}
            as velocity_days_p75,
        counted.inferred_hop_count
    from counted
    left join velocity_quantiles
        on
            counted.cohort_grain = velocity_quantiles.cohort_grain
            and counted.cohort_start_date = velocity_quantiles.cohort_start_date
            and counted.mode = velocity_quantiles.mode
            and counted.dimension_type = velocity_quantiles.dimension_type
            and counted.dimension_value = velocity_quantiles.dimension_value
            and counted.from_stage = velocity_quantiles.from_stage
            and counted.to_stage = velocity_quantiles.to_stage
),

bounded as (
    select
        aggregated.*,
        cast(
            {{ dbt.dateadd(
                'day', -1,
                dbt.dateadd(
                    'month',
                    "case aggregated.cohort_grain when 'month' then 1 else 3
                    end",
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
        cast(converted_count as {{ type_double() }})
        / nullif(entered_count, 0) as conversion_rate,
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
