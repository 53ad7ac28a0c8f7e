{{ config(
    severity=var('implausible_value_severity'),
    meta={'dagster': {'ref': {'name': 'stg_crm__opportunities'}}},
) }}
{#- Opportunity dates inside the fiscal calendar (calendar_start_date to
    calendar_end_date): a close date such as 9999-12-31 or 1900-01-01 takes the
    deal out of every quarter, which no total shows. A returned row is a date
    to fix, with the extract batch and row it came from. Warns by default
    (var implausible_value_severity: error blocks). Fix: correct the date in a
    new Opportunity batch. -#}
{%- set first_day = "cast('" ~ var('calendar_start_date') ~ "' as date)" -%}
{%- set last_day = "cast('" ~ var('calendar_end_date') ~ "' as date)" -%}

with opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
),

dates as (
    select
        opportunity_id,
        'CloseDate' as field,
        close_date as value,
        source_batch,
        source_row_number
    from opportunities
    union all
    select
        opportunity_id,
        'CreatedDate' as field,
        cast(created_at as date) as value,
        source_batch,
        source_row_number
    from opportunities
)

select * from dates
where value < {{ first_day }} or value > {{ last_day }}
