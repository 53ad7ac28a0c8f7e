with accounts as (
    select * from {{ ref('stg_crm__accounts') }}
),

country_region as (
    select * from {{ ref('country_region') }}
),

employee_bands as (
    select * from {{ ref('employee_band_segment') }}
),

final as (
    select
        accounts.account_id,
        accounts.name as account_name,
        accounts.industry,
        accounts.type as account_type,
        accounts.billing_country,
        accounts.number_of_employees,
        accounts.annual_revenue,
        accounts.owner_id,
        -- The account's own fields win; the lookup seeds fill the gaps.
        coalesce(accounts.region, country_region.region) as region,
        coalesce(accounts.segment, employee_bands.segment) as segment,
        accounts.region is null as is_region_derived,
        accounts.segment is null as is_segment_derived,
        accounts.created_at
    from accounts
    left join country_region
        on accounts.billing_country = country_region.country
    left join employee_bands
        on
            accounts.number_of_employees >= employee_bands.min_employees
            and (
                employee_bands.max_employees is null
                or accounts.number_of_employees <= employee_bands.max_employees
            )
)

select * from final
