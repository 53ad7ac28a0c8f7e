{#- Fiscal calendar of docs/metrics.md §2.2, for a fiscal year starting in any
    month and named after its start or end year. Built as a table so that a
    4-4-5 calendar could replace the formulas. -#}
{%- set fy_start_month = var('fiscal_year_start_month') | int -%}
{%- set name_by_end = var('fiscal_year_naming') == 'end'
    and fy_start_month != 1 -%}
{%- set quarter_offset = dbt.dateadd(
    'month', '3 * (fiscal_quarter - 1)', 'fiscal_year_start_date') -%}
{%- set next_quarter_start = dbt.dateadd(
    'month', 3, 'fiscal_quarter_start_date') -%}
{%- set quarter_end = dbt.dateadd('day', -1, next_quarter_start) -%}
{%- set ly_quarter_start = dbt.dateadd(
    'month', -12, 'fiscal_quarter_start_date') -%}
{%- set ly_quarter_next = dbt.dateadd(
    'month', -9, 'fiscal_quarter_start_date') -%}
{%- set ly_same_day = dbt.dateadd(
    'day',
    'least(day_of_fiscal_quarter, ly_days_in_fiscal_quarter) - 1',
    'ly_fiscal_quarter_start_date') -%}

with days as (
    select date_day from {{ ref('int_days_spined') }}
),

calendar as (
    select
        date_day,
        cast(extract(year from date_day) as integer) as calendar_year,
        cast(extract(month from date_day) as integer) as calendar_month,
        {{ iso_weekday('date_day') }} as iso_weekday
    from days
),

fiscal_parts as (
    select
        *,
        mod(calendar_month - {{ fy_start_month }} + 12, 12)
            as fiscal_month_offset,
        calendar_year
        - case when calendar_month < {{ fy_start_month }} then 1 else 0 end
            as fiscal_year_start_year
    from calendar
),

fiscal as (
    select
        *,
        fiscal_month_offset + 1 as fiscal_month,
        cast(floor(fiscal_month_offset / 3.0) as integer) + 1 as fiscal_quarter,
        fiscal_year_start_year + {{ 1 if name_by_end else 0 }} as fiscal_year,
        make_date(fiscal_year_start_year, {{ fy_start_month }}, 1)
            as fiscal_year_start_date
    from fiscal_parts
),

quarters as (
    select
        *,
        cast({{ quarter_offset }} as date) as fiscal_quarter_start_date
    from fiscal
),

quarter_bounds as (
    select
        *,
        cast({{ quarter_end }} as date) as fiscal_quarter_end_date,
        cast({{ ly_quarter_start }} as date) as ly_fiscal_quarter_start_date,
        cast({{ ly_quarter_next }} as date) as ly_next_quarter_start_date
    from quarters
),

measures as (
    select
        *,
        {{ dbt.datediff(
            'fiscal_quarter_start_date', 'fiscal_quarter_end_date', 'day') }}
        + 1 as days_in_fiscal_quarter,
        {{ dbt.datediff('fiscal_quarter_start_date', 'date_day', 'day') }}
        + 1 as day_of_fiscal_quarter,
        {{ dbt.datediff('date_day', 'fiscal_quarter_end_date', 'day') }}
            as days_remaining_in_fiscal_quarter,
        {{ dbt.datediff(
            'ly_fiscal_quarter_start_date', 'ly_next_quarter_start_date', 'day') }}
            as ly_days_in_fiscal_quarter
    from quarter_bounds
),

final as (
    select
        date_day,
        calendar_year,
        calendar_month,
        iso_weekday,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date)
            as month_start_date,
        fiscal_year,
        fiscal_quarter,
        fiscal_month,
        'FY' || cast(fiscal_year as {{ dbt.type_string() }})
            as fiscal_year_label,
        'FY' || cast(fiscal_year as {{ dbt.type_string() }})
        || '-Q' || cast(fiscal_quarter as {{ dbt.type_string() }})
            as fiscal_quarter_label,
        fiscal_year_start_date,
        fiscal_quarter_start_date,
        fiscal_quarter_end_date,
        days_in_fiscal_quarter,
        day_of_fiscal_quarter,
        days_remaining_in_fiscal_quarter,
        90 - days_remaining_in_fiscal_quarter as day_of_quarter_normalised,
        cast(day_of_fiscal_quarter as {{ type_double() }})
        / days_in_fiscal_quarter as pct_fiscal_quarter_elapsed,
        cast({{ ly_same_day }} as date) as same_day_last_fiscal_year,
        iso_weekday = {{ var('weekly_review_weekday') | int }}
            as is_weekly_review_day,
        cast({{ dbt.dateadd(
            'day',
            '-((iso_weekday - ' ~ (var('weekly_review_weekday') | int) ~ ' + 7) % 7)',
            'date_day'
        ) }} as date) as review_week_start_date,
        date_day = fiscal_quarter_end_date as is_fiscal_quarter_end
    from measures
)

select * from final
