{#- The stage pairs conversion is published for: every adjacent pair of the
    ladder (opportunity -> closed_won and -> closed_lost both), plus the
    funnel_extra_pairs var. -#}
{%- set extra_pairs = var('funnel_extra_pairs') -%}

with ladder as (
    select
        stage,
        stage_order
    from {{ ref('funnel_stage') }}
),

-- The next rung of each stage (a join, not a correlated subquery in the join
-- condition, which Spark does not take).
next_orders as (
    select
        from_stages.stage,
        from_stages.stage_order,
        min(later.stage_order) as next_stage_order
    from ladder as from_stages
    inner join ladder as later
        on later.stage_order > from_stages.stage_order
    group by from_stages.stage, from_stages.stage_order
),

adjacent as (
    select
        next_orders.stage as from_stage,
        to_stages.stage as to_stage,
        next_orders.stage_order as from_stage_order,
        to_stages.stage_order as to_stage_order,
        true as is_adjacent
    from next_orders
    inner join ladder as to_stages
        on next_orders.next_stage_order = to_stages.stage_order
),

extra as (
    {%- for pair in extra_pairs %}
    select
        from_stages.stage as from_stage,
        to_stages.stage as to_stage,
        from_stages.stage_order as from_stage_order,
        to_stages.stage_order as to_stage_order,
        false as is_adjacent
    from ladder as from_stages
    inner join ladder as to_stages
        on
            from_stages.stage = '{{ pair[0] }}'
            and to_stages.stage = '{{ pair[1] }}'
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- else %}
    select * from adjacent where false
    {%- endfor %}
),

final as (
    select * from adjacent
    union all
    select * from extra
    where not exists (
        select 1 from adjacent
        where
            adjacent.from_stage = extra.from_stage
            and adjacent.to_stage = extra.to_stage
    )
)

select * from final
