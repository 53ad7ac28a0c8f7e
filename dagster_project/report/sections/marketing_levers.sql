-- What each marketing lever and channel cost and produced in the current fiscal quarter and
-- the one before it, every lead source together.
with quarters as (
    select
        current_day.fiscal_quarter_start_date as current_start,
        previous_day.fiscal_quarter_start_date as previous_start
    from marts.dim_date as current_day
    inner join marts.dim_date as previous_day
        on previous_day.date_day = current_day.fiscal_quarter_start_date - 1
    where current_day.date_day = $as_of_date
)

select
    levers.fiscal_period,
    levers.period_start_date,
    levers.period_start_date = quarters.current_start as is_current,
    levers.marketing_lever,
    levers.marketing_channel,
    levers.actual_cost,
    levers.responses,
    levers.mqls,
    levers.influenced_pipeline_corp,
    levers.sourced_pipeline_primary_source,
    levers.sourced_pipeline_w_shaped,
    levers.won_acv_w_shaped,
    levers.cost_per_pipeline_dollar,
    levers.roi_primary_source,
    levers.roi_w_shaped
from marts.mart_marketing_levers as levers
cross join quarters
where
    levers.lead_source = 'all'
    and levers.period_start_date in (quarters.current_start, quarters.previous_start)
order by
    levers.period_start_date desc,
    levers.marketing_lever = 'unattributed',
    levers.sourced_pipeline_w_shaped desc,
    levers.marketing_lever,
    levers.marketing_channel
