{#- Each deal's part in each waterfall window and target quarter
    (docs/metrics.md §3.15): its state at both ends, whether it was in the
    quarter's open pipeline then (in_start, in_end: open, qualified band, not
    Omitted, ACV above 0, close date in the quarter, not excluded; the same rule
    as mart_apm's open pipeline), its ACV then (start_acv_corp, end_acv_corp,
    0 when out) and what happened (outcome). Only deals whose close date is in
    the quarter at one end or the other can move it, so only those are read.
    One row per window x target quarter x opportunity with an outcome. -#}
{%- set slip_day = var('pipeline_slip_normalised_day') | int -%}
with windows as (
    select * from {{ ref('int_pipeline__windows') }}
),

versions as (
    select * from {{ ref('fct_opportunity_version') }}
    where not is_excluded
),

calendar as (
    select * from {{ ref('dim_date') }}
),

points as (
    select window_start_date as point_date from windows
    union
    select window_end_date as point_date from windows
),

bounds as (
    select
        min(period_start_date) as first_day,
        max(period_end_date) as last_day
    from windows
),

-- Only a deal closing inside one of the windows' quarters at a window's end
-- can move it; reading just those versions first keeps the work linear in the
-- deals near the report days, not in every deal times every day.
near_states as (
    select
        points.point_date,
        versions.opportunity_id,
        versions.close_date
    from points
    inner join versions
        on {{ version_valid_on('versions', 'points.point_date') }}
    cross join bounds
    where versions.close_date between bounds.first_day and bounds.last_day
),

-- The deals that can move a window's quarter: their close date is in it at
-- one end or the other.
candidates as (
    select
        windows.window_type,
        windows.window_start_date,
        windows.window_end_date,
        windows.period_start_date,
        near_states.opportunity_id
    from windows
    inner join near_states
        on
            windows.window_start_date = near_states.point_date
            and near_states.close_date between windows.period_start_date
            and windows.period_end_date

    union

    select
        windows.window_type,
        windows.window_start_date,
        windows.window_end_date,
        windows.period_start_date,
        near_states.opportunity_id
    from windows
    inner join near_states
        on
            windows.window_end_date = near_states.point_date
            and near_states.close_date between windows.period_start_date
            and windows.period_end_date
),

candidate_deals as (
    select distinct opportunity_id from candidates
),

-- The candidates' full state at every window end (wherever their close date
-- is by then).
states as (
    select
        points.point_date,
        versions.opportunity_id,
        versions.stage_name,
        versions.stage_sort_order,
        versions.is_open,
        versions.is_won,
        versions.forecast_category,
        versions.close_date,
        versions.currency_iso_code,
        versions.acv_local,
        versions.fx_rate,
        versions.acv_corp,
        cast(versions.pipeline_created_at as date) as pipeline_created_date,
        {{ is_open_pipeline('versions') }} as is_pipeline
    from points
    inner join versions
        on {{ version_valid_on('versions', 'points.point_date') }}
    inner join candidate_deals
        on versions.opportunity_id = candidate_deals.opportunity_id
),

paired as (
    select
        windows.*,
        candidates.opportunity_id,
        at_start.opportunity_id is not null as existed_at_start,
        coalesce(
            at_start.is_pipeline
            and at_start.close_date between windows.period_start_date
            and windows.period_end_date,
            false
        ) as in_start,
        at_end.is_pipeline
        and at_end.close_date between windows.period_start_date
        and windows.period_end_date as in_end,
        at_start.stage_name as start_stage_name,
        at_start.is_won as start_is_won,
        at_start.forecast_category as start_forecast_category,
        at_start.close_date as start_close_date,
        at_start.acv_local as start_acv_local,
        at_start.fx_rate as start_fx_rate,
        at_start.acv_corp as start_state_acv_corp,
        at_end.stage_name as end_stage_name,
        at_end.stage_sort_order as end_stage_sort_order,
        at_end.is_open as end_is_open,
        at_end.is_won as end_is_won,
        at_end.forecast_category as end_forecast_category,
        at_end.close_date as end_close_date,
        at_end.currency_iso_code,
        at_end.acv_local as end_acv_local,
        at_end.fx_rate as end_fx_rate,
        at_end.acv_corp as end_state_acv_corp,
        at_end.pipeline_created_date
    from candidates
    inner join windows
        on
            candidates.window_type = windows.window_type
            and candidates.window_start_date = windows.window_start_date
            and candidates.window_end_date = windows.window_end_date
            and candidates.period_start_date = windows.period_start_date
    -- a deal existing at the start exists at the end (deleted deals have no
    -- versions at all), so the end state is always there
    inner join states as at_end
        on
            candidates.opportunity_id = at_end.opportunity_id
            and windows.window_end_date = at_end.point_date
    left join states as at_start
        on
            candidates.opportunity_id = at_start.opportunity_id
            and windows.window_start_date = at_start.point_date
),

classified as (
    select
        *,
        case
            when in_start and in_end then 'stayed'
            when
                in_start and end_is_won
                and end_close_date between period_start_date
                and period_end_date
                then 'won'
            when in_start and end_close_date > period_end_date then 'left_later'
            when in_start and end_close_date < period_start_date
                then 'pulled_out'
            when in_start and not end_is_open then 'lost'
            when in_start then 'removed'
            when in_end then 'entered'
            -- entered and won inside the window: both show (they net to 0)
            when
                end_is_won
                and not coalesce(start_is_won, false)
                and end_close_date between period_start_date
                and period_end_date
                and end_close_date <= window_end_date
                and end_state_acv_corp > 0
                then 'entered_and_won'
        end as outcome,
        case
            when in_start then null
            when
                not existed_at_start or pipeline_created_date is null
                or pipeline_created_date > window_start_date
                then 'created'
            when
                start_close_date not between period_start_date
                and period_end_date
                then 'pulled_in'
            else 'requalified'
        end as entry_kind
    from paired
),

-- When a deal that left for a later quarter left: the first version inside
-- the window with a close date after the quarter.
exits as (
    select
        classified.window_type,
        classified.window_start_date,
        classified.window_end_date,
        classified.period_start_date,
        classified.opportunity_id,
        min(versions.valid_from_date) as left_on
    from classified
    inner join versions
        on
            classified.opportunity_id = versions.opportunity_id
            and classified.window_start_date < versions.valid_from_date
            and classified.window_end_date >= versions.valid_from_date
            and classified.period_end_date < versions.close_date
    where classified.outcome = 'left_later'
    group by
        classified.window_type,
        classified.window_start_date,
        classified.window_end_date,
        classified.period_start_date,
        classified.opportunity_id
),

final as (
    select
        classified.window_type,
        classified.window_start_date,
        classified.window_end_date,
        classified.fiscal_period,
        classified.period_start_date,
        classified.period_end_date,
        classified.opportunity_id,
        classified.in_start,
        classified.in_end,
        case
            when classified.in_start then classified.start_state_acv_corp
            else cast(0 as {{ type_double() }})
        end as start_acv_corp,
        case
            when classified.in_end then classified.end_state_acv_corp
            else cast(0 as {{ type_double() }})
        end as end_acv_corp,
        case
            when classified.outcome = 'left_later'
                then
                    case
                        when
                            90 - {{ dbt.datediff(
                                'exits.left_on', 'classified.period_end_date', 'day'
                            ) }} >= {{ slip_day }}
                            then 'slipped'
                        else 'pushed_out'
                    end
            else classified.outcome
        end as outcome,
        classified.entry_kind,
        exits.left_on,
        start_owners.owner_id as start_owner_id,
        end_owners.owner_id as end_owner_id,
        classified.start_stage_name,
        classified.start_forecast_category,
        classified.start_close_date,
        start_quarter.fiscal_quarter_label as start_close_fiscal_period,
        classified.start_acv_local,
        classified.start_fx_rate,
        classified.start_state_acv_corp,
        classified.end_stage_name,
        classified.end_stage_sort_order,
        classified.end_is_open,
        classified.end_forecast_category,
        classified.end_close_date,
        close_quarter.fiscal_quarter_label as end_close_fiscal_period,
        classified.currency_iso_code,
        classified.end_acv_local,
        classified.end_fx_rate,
        classified.end_state_acv_corp
    from classified
    left join exits
        on
            classified.window_type = exits.window_type
            and classified.window_start_date = exits.window_start_date
            and classified.window_end_date = exits.window_end_date
            and classified.period_start_date = exits.period_start_date
            and classified.opportunity_id = exits.opportunity_id
    left join calendar as close_quarter
        on classified.end_close_date = close_quarter.date_day
    left join calendar as start_quarter
        on classified.start_close_date = start_quarter.date_day
    left join {{ ref('int_opportunity_owners') }} as start_owners
        on
            classified.opportunity_id = start_owners.opportunity_id
            and {{ version_valid_on(
                'start_owners', 'classified.window_start_date'
            ) }}
    left join {{ ref('int_opportunity_owners') }} as end_owners
        on
            classified.opportunity_id = end_owners.opportunity_id
            and {{ version_valid_on(
                'end_owners', 'classified.window_end_date'
            ) }}
    where classified.outcome is not null
)

select * from final
