{{ config(
    meta={'dagster': {'ref': {'name': 'stg_crm__dated_conversion_rates'}}},
) }}
{#- Every conversion rate is above 0: amounts are divided by it, so a rate of 0
    (or below) would turn a deal's corporate amount into nothing or infinity.
    A returned row is a rate to fix, with the extract file and row it came
    from. Fix: correct the rate in a new CurrencyType or DatedConversionRate
    batch. -#}
with dated as (
    select
        'DatedConversionRate' as extract_object,
        rates.iso_code,
        rates.conversion_rate,
        rates.start_date,
        loaded._file as extract_file,
        rates.source_row_number as extract_row
    from {{ ref('stg_crm__dated_conversion_rates') }} as rates
    inner join {{ source('crm', 'dated_conversion_rate') }} as loaded
        on
            rates.source_batch = loaded._batch
            and rates.source_row_number = loaded._row_number
    where rates.conversion_rate <= 0
),

static as (
    select
        'CurrencyType' as extract_object,
        rates.iso_code,
        rates.conversion_rate,
        cast(null as date) as start_date,
        loaded._file as extract_file,
        rates.source_row_number as extract_row
    from {{ ref('stg_crm__currency_types') }} as rates
    inner join {{ source('crm', 'currency_type') }} as loaded
        on
            rates.source_batch = loaded._batch
            and rates.source_row_number = loaded._row_number
    where rates.conversion_rate <= 0
)

select * from dated
union all
select * from static
