{{ config(meta={'dagster': {'ref': {'name': 'mart_state_of_the_union'}}}) }}
-- State of the Union's quarter to date is the APM's closed won and pipeline
-- generation for the current quarter on as_of_date, for the total, every
-- segment and every region, to the cent: the same deals counted from the
-- opportunity (SOTU) and from its versions (the APM). Also fails when
-- mart_apm reports the day and the two share no row. A returned row is a
-- slice and metric where they differ.
with sotu as (
    select * from {{ ref('mart_state_of_the_union') }}
    where period_type = 'quarter_to_date'
),

apm as (
    select * from {{ ref('mart_apm') }}
    where
        metric in ('closed_won_acv', 'pipeline_generation')
        and as_of_date = {{ as_of_date() }}
        and dimension_type in ('total', 'segment', 'region')
),

compared as (
    select
        apm.metric,
        apm.dimension_type,
        apm.dimension_value,
        coalesce(apm.value, 0) as apm_value,
        case
            when apm.metric = 'closed_won_acv' then sotu.closed_won_acv
            else sotu.pipeline_generated
        end as sotu_value
    from apm
    inner join sotu
        on
            apm.period_start_date = sotu.period_start_date
            and apm.dimension_type = sotu.dimension_type
            and apm.dimension_value = sotu.dimension_value
),

counts as (
    select
        (select count(*) from compared) as pairs,
        (select count(*) from apm) as apm_rows
)

select
    metric,
    dimension_type,
    dimension_value,
    apm_value,
    sotu_value
from compared
where abs(apm_value - sotu_value) > 0.005
union all
select
    'none' as metric,
    'none' as dimension_type,
    'none' as dimension_value,
    null as apm_value,
    null as sotu_value
from counts
where counts.pairs = 0 and counts.apm_rows > 0
