{#- Every visit of every opportunity to a stage, as known at the end of
    as_of_date (docs/metrics.md §3.16). From the StageName field history where
    the opportunity has any (its first stage, the old value of its first
    change, from its creation), else from OpportunityHistory (a version whose
    stage differs from the one before). A visit runs from entered_at to the
    next stage change (exited_at), or, for the current stage, to the end of
    as_of_date. A backward move (to a lower sort order) is a regression: it
    starts a new visit and does not un-reach the stages passed before. One row
    per opportunity x entered_at. -#}
with opportunities as (
    select
        opportunity_id,
        created_at
    from {{ ref('stg_crm__opportunities') }}
    where cast(created_at as date) <= {{ as_of_date() }}
),

stages as (
    select
        stage_name,
        sort_order,
        stage_band
    from {{ ref('int_opportunity_stages') }}
),

field_changes as (
    select
        opportunity_id,
        created_at as changed_at,
        opportunity_field_history_id as change_id,
        old_value,
        new_value,
        row_number() over (
            partition by opportunity_id
            order by created_at, opportunity_field_history_id
        ) as change_no
    from {{ ref('stg_crm__opportunity_field_history') }}
    where
        field = 'StageName'
        and cast(created_at as date) <= {{ as_of_date() }}
),

from_field_history as (
    select
        field_changes.opportunity_id,
        opportunities.created_at as entered_at,
        '' as change_id,
        field_changes.old_value as stage_name
    from field_changes
    inner join opportunities
        on field_changes.opportunity_id = opportunities.opportunity_id
    where field_changes.change_no = 1

    union all

    select
        opportunity_id,
        changed_at as entered_at,
        change_id,
        new_value as stage_name
    from field_changes
),

versions as (
    select
        opportunity_id,
        version_no,
        valid_from,
        stage_name,
        lag(stage_name) over (
            partition by opportunity_id order by version_no
        ) as previous_stage_name
    from {{ ref('fct_opportunity_version') }}
    where valid_from_date <= {{ as_of_date() }}
),

with_history as (
    select distinct opportunity_id from field_changes
),

from_versions as (
    select
        versions.opportunity_id,
        versions.valid_from as entered_at,
        cast(versions.version_no as {{ dbt.type_string() }}) as change_id,
        versions.stage_name
    from versions
    left join with_history
        on versions.opportunity_id = with_history.opportunity_id
    where
        with_history.opportunity_id is null
        and (
            versions.previous_stage_name is null
            or versions.previous_stage_name <> versions.stage_name
        )
),

entries as (
    select
        opportunity_id,
        entered_at,
        change_id,
        stage_name,
        'crm.opportunity_field_history' as source
    from from_field_history
    union all
    select
        opportunity_id,
        entered_at,
        change_id,
        stage_name,
        'crm.opportunity_history' as source
    from from_versions
),

sequenced as (
    select
        entries.*,
        stages.sort_order as stage_sort_order,
        stages.stage_band,
        lead(entries.entered_at) over (
            partition by entries.opportunity_id
            order by entries.entered_at, entries.change_id
        ) as exited_at,
        lag(stages.sort_order) over (
            partition by entries.opportunity_id
            order by entries.entered_at, entries.change_id
        ) as previous_sort_order
    from entries
    left join stages
        on entries.stage_name = stages.stage_name
),

final as (
    select
        opportunity_id,
        stage_name,
        stage_sort_order,
        stage_band,
        entered_at,
        exited_at,
        exited_at is null as is_current,
        cast(
            {{ dbt.datediff(
                'entered_at',
                "coalesce(exited_at, cast(" ~ dbt.dateadd('day', 1, as_of_date())
                ~ " as timestamp))",
                'second'
            ) }} as {{ type_double() }}
        ) / 86400.0 as days_in_stage,
        cast(row_number() over (
            partition by opportunity_id, stage_name
            order by entered_at, change_id
        ) as integer) as visit_no,
        coalesce(stage_sort_order < previous_sort_order, false)
            as is_regression,
        cast(sum(
            case when stage_sort_order < previous_sort_order then 1 else 0 end
        ) over (partition by opportunity_id) as integer) as regression_count,
        source
    from sequenced
)

select * from final
