{{ config(meta={'dagster': {'ref': {'name': 'fct_opportunity_version'}}}) }}
{#- Every amount converts to the corporate currency: a dated rate valid on the
    close date (DatedConversionRate) or a static one (CurrencyType). A
    currency without either leaves amount_corp null and would drop the deal
    from every corporate total, so this blocks publishing. Fix: add the
    currency to the CurrencyType or DatedConversionRate extract. -#}
select
    currency_iso_code,
    count(*) as version_count,
    count(distinct opportunity_id) as opportunity_count,
    min(close_date) as first_close_date,
    max(close_date) as last_close_date
from {{ ref('fct_opportunity_version') }}
where amount_local is not null and fx_rate is null
group by currency_iso_code
