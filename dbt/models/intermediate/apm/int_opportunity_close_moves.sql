{#- Each opportunity version known by as_of_date with the close date it
    replaced. A push is a move of the close date to a later fiscal quarter
    once the deal is pipeline (in the qualified band): the one rule behind
    fct_opportunity's push_count and days_pushed, Clean Your Room's
    pushed_repeatedly and the pushed deals of mart_notable_deals. One row per
    opportunity version. -#}
with calendar as (
    select
        date_day,
        fiscal_quarter_start_date
    from {{ ref('dim_date') }}
),

moves as (
    select
        versions.opportunity_id,
        versions.version_no,
        versions.valid_from,
        versions.valid_from_date,
        versions.pipeline_created_at,
        versions.close_date,
        lag(versions.close_date) over (
            partition by versions.opportunity_id order by versions.version_no
        ) as previous_close_date,
        close_quarters.fiscal_quarter_start_date as close_quarter_start_date,
        lag(close_quarters.fiscal_quarter_start_date) over (
            partition by versions.opportunity_id order by versions.version_no
        ) as previous_close_quarter_start_date
    from {{ ref('fct_opportunity_version') }} as versions
    left join calendar as close_quarters
        on versions.close_date = close_quarters.date_day
    where versions.valid_from_date <= {{ as_of_date() }}
),

final as (
    select
        *,
        coalesce(
            valid_from >= pipeline_created_at
            and close_quarter_start_date > previous_close_quarter_start_date,
            false
        ) as is_push,
        case
            when
                valid_from >= pipeline_created_at
                and close_date > previous_close_date
                then {{ dbt.datediff(
                    'previous_close_date', 'close_date', 'day'
                ) }}
            else 0
        end as days_pushed
    from moves
)

select * from final
