{#- How long a cohort needs before its conversion j -> k counts as final
    (docs/metrics.md §3.14 "Maturity"): the funnel_maturity_days var when set, else
    the P90 of the pair's observed velocity, rounded up to whole days. -#}
{%- set maturity_days = var('funnel_maturity_days') -%}

with conversions as (
    select * from {{ ref('int_funnel__conversions') }}
),

pairs as (
    select * from {{ ref('int_funnel__stage_pairs') }}
),

velocity as (
    select
        from_stage,
        to_stage,
        percentile_cont(0.9) within group (order by velocity_days)
            as p90_velocity_days
    from conversions
    where is_converted
    group by from_stage, to_stage
),

final as (
    select
        pairs.from_stage,
        pairs.to_stage,
        velocity.p90_velocity_days,
        {%- if maturity_days is not none %}
        {{ maturity_days | int }} as maturity_days
        {%- else %}
            cast(ceil(velocity.p90_velocity_days) as integer) as maturity_days
        {%- endif %}
    from pairs
    left join velocity
        on
            pairs.from_stage = velocity.from_stage
            and pairs.to_stage = velocity.to_stage
)

select * from final
