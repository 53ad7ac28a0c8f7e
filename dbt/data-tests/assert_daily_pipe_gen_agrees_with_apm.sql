{{ config(meta={'dagster': {'ref': {'name': 'mart_daily_pipe_gen'}}}) }}
-- Daily Pipe Gen's quarter to date on as_of_date is the APM's pipeline
-- generation for the same quarter and slice, to the cent (docs/metrics.md
-- §3.20): two aggregations of the same deals, one day by day, one at once.
-- Also fails when mart_apm reports the day and the two share no row (a join
-- that matches nothing would prove nothing). A returned row is a quarter and
-- slice where they differ.
with daily as (
    select * from {{ ref('mart_daily_pipe_gen') }}
    where date_day = as_of_date
),

apm as (
    select * from {{ ref('mart_apm') }}
    where metric = 'pipeline_generation' and as_of_date = {{ as_of_date() }}
),

compared as (
    select
        apm.fiscal_period,
        apm.dimension_type,
        apm.dimension_value,
        coalesce(apm.value, 0) as apm_value,
        daily.pipeline_generated_qtd
    from apm
    inner join daily
        on
            apm.fiscal_period = daily.fiscal_period
            and apm.dimension_type = daily.dimension_type
            and apm.dimension_value = daily.dimension_value
),

counts as (
    select
        (select count(*) from compared) as pairs,
        (select count(*) from apm) as apm_rows
)

select
    fiscal_period,
    dimension_type,
    dimension_value,
    apm_value,
    pipeline_generated_qtd
from compared
where abs(apm_value - pipeline_generated_qtd) > 0.005
union all
select
    'none' as fiscal_period,
    'none' as dimension_type,
    'none' as dimension_value,
    null as apm_value,
    null as pipeline_generated_qtd
from counts
where counts.pairs = 0 and counts.apm_rows > 0
