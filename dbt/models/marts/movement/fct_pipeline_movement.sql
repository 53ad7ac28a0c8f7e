{#- Why a quarter's open pipeline moved, deal by deal (docs/metrics.md
    §3.15): one row per window x target quarter x opportunity x bucket with a
    non-zero amount. A deal's rows add up to its end ACV minus its start ACV
    in the window, exactly: a deal still in the quarter moved by `increased` /
    `decreased` (its amount changed, valued at the start's rate) and
    `fx_revaluation` (the dated rate moved with its close date); one that left
    by `won`, `lost`, `pushed_out` / `slipped` (its close date moved after the
    quarter, before or from normalised day pipeline_slip_normalised_day),
    `pulled_out` or `removed`; one that came in by `created`, `pulled_in` or
    `requalified`. A deal that came in and was won inside the window shows
    both. -#}
{%- set qualified_min = var('qualified_stage_min_sort_order') | int -%}
with deals as (
    select * from {{ ref('int_pipeline__deal_windows') }}
),

-- What a change of amount and a change of rate each contribute, for deals
-- whose value is compared at both ends (still in, or won): valued first at the
-- start's rate, then revalued at the end's.
valued as (
    select
        *,
        (end_acv_local - start_acv_local) / start_fx_rate as amount_change_corp,
        end_acv_local / end_fx_rate - end_acv_local / start_fx_rate
            as fx_change_corp
    from deals
),

buckets as (
    select
        *,
        case
            when amount_change_corp > 0 then 'increased' else 'decreased'
        end as bucket,
        amount_change_corp as amount_corp,
        end_acv_local - start_acv_local as amount_local,
        cast(null as {{ dbt.type_string() }}) as reason
    from valued
    where outcome in ('stayed', 'won')

    union all

    select
        *,
        'fx_revaluation' as bucket,
        fx_change_corp as amount_corp,
        cast(0 as {{ type_double() }}) as amount_local,
        cast(null as {{ dbt.type_string() }}) as reason
    from valued
    where outcome in ('stayed', 'won')

    union all

    select
        *,
        'won' as bucket,
        -end_state_acv_corp as amount_corp,
        -end_acv_local as amount_local,
        cast(null as {{ dbt.type_string() }}) as reason
    from valued
    where outcome in ('won', 'entered_and_won')

    union all

    select
        *,
        outcome as bucket,
        -start_acv_corp as amount_corp,
        -start_acv_local as amount_local,
        case
            when outcome = 'lost' then start_stage_name
            when outcome in ('pushed_out', 'slipped', 'pulled_out')
                then end_close_fiscal_period
            when end_forecast_category = 'Omitted' then 'omitted'
            when end_stage_sort_order < {{ qualified_min }}
                then 'below_qualified_band'
            when end_state_acv_corp <= 0 then 'no_positive_acv'
            else 'reopened_or_other'
        end as reason
    from valued
    where outcome in ('lost', 'pushed_out', 'slipped', 'pulled_out', 'removed')

    union all

    select
        *,
        entry_kind as bucket,
        end_state_acv_corp as amount_corp,
        end_acv_local as amount_local,
        case
            when entry_kind = 'pulled_in'
                then start_close_fiscal_period
        end as reason
    from valued
    where outcome in ('entered', 'entered_and_won')
),

final as (
    select
        window_type,
        window_start_date,
        window_end_date,
        fiscal_period,
        period_start_date,
        opportunity_id,
        bucket,
        cast(amount_corp as {{ type_double() }}) as amount_corp,
        cast(amount_local as {{ type_double() }}) as amount_local,
        currency_iso_code,
        reason
    from buckets
    where amount_corp <> 0 or amount_local <> 0
)

select * from final
