{{ config(meta={'dagster': {'ref': {'name': 'mart_pipeline_waterfall'}}}) }}
-- The waterfall balances and agrees with the APM (docs/metrics.md §3.15): for
-- every window, target quarter and slice, start + the buckets = end, and start
-- and end equal mart_apm's open_pipeline for the same day, quarter and slice,
-- to the cent (a slice missing on one side counts as 0 there); owner slices,
-- which mart_apm does not have, add up to the total at both ends. A returned
-- row is a difference: `check` says which.
with waterfall as (
    select * from {{ ref('mart_pipeline_waterfall') }}
),

apm as (
    select
        as_of_date,
        fiscal_period,
        dimension_type,
        dimension_value,
        value
    from {{ ref('mart_apm') }}
    where metric = 'open_pipeline'
),

windows as (
    select * from {{ ref('int_pipeline__windows') }}
),

balance as (
    select
        'start + buckets = end' as check_name,
        window_type,
        window_start_date,
        window_end_date,
        fiscal_period,
        dimension_type,
        dimension_value,
        sum(case when bucket <> 'end' then amount_corp else 0 end) as left_side,
        sum(case when bucket = 'end' then amount_corp else 0 end) as right_side
    from waterfall
    group by
        window_type,
        window_start_date,
        window_end_date,
        fiscal_period,
        dimension_type,
        dimension_value
),

-- Each day and quarter a window starts or ends on, with the waterfall's open
-- pipeline there (both ends of every window that touches it must agree).
waterfall_points as (
    select
        window_start_date as as_of_date,
        fiscal_period,
        dimension_type,
        dimension_value,
        amount_corp
    from waterfall
    where bucket = 'start' and dimension_type <> 'owner'

    union all

    select
        window_end_date as as_of_date,
        fiscal_period,
        dimension_type,
        dimension_value,
        amount_corp
    from waterfall
    where bucket = 'end' and dimension_type <> 'owner'
),

covered as (
    select
        window_start_date as as_of_date,
        fiscal_period
    from windows
    union
    select
        window_end_date as as_of_date,
        fiscal_period
    from windows
),

apm_points as (
    select apm.*
    from apm
    inner join covered
        on
            apm.as_of_date = covered.as_of_date
            and apm.fiscal_period = covered.fiscal_period
),

against_apm as (
    select
        'start and end = mart_apm open_pipeline' as check_name,
        cast(null as {{ dbt.type_string() }}) as window_type,
        coalesce(waterfall_points.as_of_date, apm_points.as_of_date)
            as window_start_date,
        coalesce(waterfall_points.as_of_date, apm_points.as_of_date)
            as window_end_date,
        coalesce(waterfall_points.fiscal_period, apm_points.fiscal_period)
            as fiscal_period,
        coalesce(waterfall_points.dimension_type, apm_points.dimension_type)
            as dimension_type,
        coalesce(waterfall_points.dimension_value, apm_points.dimension_value)
            as dimension_value,
        coalesce(waterfall_points.amount_corp, 0) as left_side,
        coalesce(apm_points.value, 0) as right_side
    from waterfall_points
    full outer join apm_points
        on
            waterfall_points.as_of_date = apm_points.as_of_date
            and waterfall_points.fiscal_period = apm_points.fiscal_period
            and waterfall_points.dimension_type = apm_points.dimension_type
            and waterfall_points.dimension_value = apm_points.dimension_value
),

owners_to_total as (
    select
        'owners add up to the total' as check_name,
        window_type,
        window_start_date,
        window_end_date,
        fiscal_period,
        bucket as dimension_type,
        'owner' as dimension_value,
        sum(case when dimension_type = 'owner' then amount_corp else 0 end)
            as left_side,
        sum(case when dimension_type = 'total' then amount_corp else 0 end)
            as right_side
    from waterfall
    where
        bucket in ('start', 'end')
        and dimension_type in ('owner', 'total')
    group by
        window_type,
        window_start_date,
        window_end_date,
        fiscal_period,
        bucket
)

select * from balance
where abs(left_side - right_side) > 0.005

union all

select * from owners_to_total
where abs(left_side - right_side) > 0.005

union all

select * from against_apm
where abs(left_side - right_side) > 0.005
