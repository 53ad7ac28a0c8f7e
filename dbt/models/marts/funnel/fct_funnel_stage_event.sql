{#- One row per person, funnel cycle and stage reached (docs/metrics.md §3.14).
    Inclusive ladder: a cycle that reached stage k has a row for every stage
    from known up to k; a stage nobody observed gets the earliest date of any
    later stage (inferred). Dates are then repaired to be monotonic with a
    running minimum from the bottom of the ladder, so entered_at is
    least(observed, every later stage) - GitLab's "lesser of actual and
    inferred". is_strict marks the in-order path: every stage from known up to
    this one observed, in order (HubSpot "all stages", Act-On cohorts). -#}
{{ config(
    materialized=incremental_where_supported(),
    incremental_strategy='append',
    on_schema_change='fail',
    meta={'digest_key': 'person_id'},
    pre_hook=[
        "{{ compute_key_digests([ref('int_funnel__stage_observations')],
                                [ref('funnel_stage')]) }}",
        "{{ find_changed_keys() }}",
        "{{ delete_changed_keys() }}",
    ],
    post_hook=[
        "{{ save_key_digests() }}",
        "{{ drop_key_temp_tables() }}",
    ],
) }}
-- Incremental by person (macros/incremental_by_key.sql): a person's rows
-- depend only on that person's observations and the ladder, so a run
-- recomputes only the people whose observations changed.
with observations as (
    select * from {{ ref('int_funnel__stage_observations') }}
    where {{ digest_changed_filter() }}
),

ladder as (
    select
        stage,
        stage_order,
        entity
    from {{ ref('funnel_stage') }}
),

-- The first observation per stage and cycle. Day first; within a day a
-- timestamped observation beats a date-only one (a Salesforce date field
-- would otherwise sort at midnight, before the same day's real events).
-- Source and opportunity break exact ties, so the pick never depends on row
-- order. An aggregate rather than a ranking window: a hash pass, not a sort;
-- on DuckDB one arg_min of the three values (macros/portable.sql), as each
-- struct-keyed arg_min costs as much as the whole pass (three took 3.6 s at
-- scale l, one 1.0 s).
first_observed as (
    select
        person_id,
        cycle_no,
        stage,
        min(stage_order) as stage_order,
        {{ first_row_values(
            {
                'observed_at': 'observed_at',
                'source': 'source',
                'opportunity_id': 'opportunity_id',
            },
            [
                'cast(observed_at as date)',
                'is_date_only',
                'observed_at',
                'source',
                'opportunity_id',
            ],
        ) }}
    from (
        select
            observations.*,
            ladder.stage_order
        from observations
        inner join ladder
            on observations.stage = ladder.stage
    ) as keyed
    group by person_id, cycle_no, stage
),

cycles as (
    select
        person_id,
        cycle_no,
        max(stage_order) as top_order
    from first_observed
    group by person_id, cycle_no
),

-- Observed stages, plus every stage below the cycle's highest one (anonymous
-- only when observed; of the two closed stages only the one that happened).
reached as (
    select
        cycles.person_id,
        cycles.cycle_no,
        ladder.stage,
        ladder.stage_order,
        ladder.entity,
        first_observed.observed_at,
        first_observed.source,
        first_observed.opportunity_id
    from cycles
    inner join ladder
        on cycles.top_order >= ladder.stage_order
    left join first_observed
        on
            cycles.person_id = first_observed.person_id
            and cycles.cycle_no = first_observed.cycle_no
            and ladder.stage = first_observed.stage
    where
        first_observed.stage is not null
        or (ladder.stage_order >= 1 and ladder.stage_order < cycles.top_order)
),

repaired as (
    select
        *,
        -- the running minimum from the top of the ladder down, written in
        -- the same (ascending) order as the other windows so they share a sort
        min(observed_at) over (
            partition by person_id, cycle_no
            order by stage_order
            range between current row and unbounded following
        ) as entered_at,
        observed_at < max(observed_at) over (
            partition by person_id, cycle_no
            order by stage_order
            range between unbounded preceding and 1 preceding
        ) as is_out_of_order
    from reached
),

final as (
    select
        person_id,
        cycle_no,
        stage,
        stage_order,
        entered_at,
        cast(entered_at as date) as entered_date,
        observed_at,
        observed_at is null as is_inferred,
        coalesce(entered_at < observed_at, false) as is_date_repaired,
        sum(
            case
                when stage_order = 0 then 0
                when observed_at is null or is_out_of_order then 1
                else 0
            end
        ) over (
            partition by person_id, cycle_no
            order by stage_order
            range between unbounded preceding and current row
        ) = 0 as is_strict,
        source,
        -- an inferred opportunity stage still names the cycle's opportunity
        case
            when entity = 'opportunity'
                then coalesce(
                    opportunity_id,
                    max(opportunity_id) over (partition by person_id, cycle_no)
                )
        end as opportunity_id
    from repaired
)

select * from final
