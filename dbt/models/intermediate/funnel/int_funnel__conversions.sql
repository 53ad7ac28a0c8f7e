{#- One row per stage entry and stage pair leaving that stage: did the same
    person reach the pair's later stage in the same funnel cycle, how fast, and
    was either end inferred (docs/metrics.md §3.14). The cohort marts count these. -#}
{{ config(
    materialized=incremental_where_supported(),
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    meta={'digest_key': 'person_id'},
    pre_hook=[
        "{{ compute_key_digests([ref('fct_funnel_stage_event')],
                                [ref('int_funnel__stage_pairs')]) }}",
        "{{ find_changed_keys() }}",
        "{{ delete_changed_keys() }}",
    ],
    post_hook=[
        "{{ save_key_digests() }}",
        "{{ drop_key_temp_tables() }}",
    ],
) }}
-- Incremental by person (macros/incremental_by_key.sql), like the facts
-- it reads: only the people whose stage entries changed are recomputed.
with events as (
    select * from {{ ref('fct_funnel_stage_event') }}
    where {{ digest_changed_filter() }}
),

pairs as (
    select * from {{ ref('int_funnel__stage_pairs') }}
),

final as (
    select
        from_events.person_id,
        from_events.cycle_no,
        pairs.from_stage,
        pairs.to_stage,
        pairs.from_stage_order,
        pairs.is_adjacent,
        from_events.entered_at as from_entered_at,
        from_events.entered_date as from_entered_date,
        from_events.is_strict as from_is_strict,
        to_events.entered_at as to_entered_at,
        to_events.entered_date as to_entered_date,
        coalesce(to_events.is_strict, false) as to_is_strict,
        to_events.person_id is not null as is_converted,
        cast({{ dbt.datediff(
            'from_events.entered_at', 'to_events.entered_at', 'second'
        ) }} as {{ type_double() }}) / 86400 as velocity_days,
        to_events.person_id is not null
        and (from_events.is_inferred or to_events.is_inferred)
            as is_inferred_hop
    from events as from_events
    inner join pairs
        on from_events.stage = pairs.from_stage
    left join events as to_events
        on
            from_events.person_id = to_events.person_id
            and from_events.cycle_no = to_events.cycle_no
            and pairs.to_stage = to_events.stage
)

select * from final
