{{ config(meta={'dagster': {'ref': {'name': 'mart_apm'}}}) }}
-- rag_status is what rag_basis, rag_measure and the two thresholds say it is,
-- so the hover text the report builds from them explains the colour shown. A
-- returned row is a cell whose colour its own columns do not explain.
with expected as (
    select
        as_of_date,
        fiscal_period,
        dimension_type,
        dimension_value,
        metric,
        rag_status,
        case
            when rag_basis = 'too_early' then 'grey'
            when rag_basis = 'target_met' then 'green'
            when rag_measure is null or rag_green_from is null then 'grey'
            when rag_measure >= rag_green_from then 'green'
            when rag_measure >= rag_yellow_from then 'yellow'
            else 'red'
        end as explained_status
    from {{ ref('mart_apm') }}
)

select * from expected
where rag_status <> explained_status
