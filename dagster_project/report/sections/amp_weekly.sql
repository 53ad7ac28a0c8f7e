-- AMP: the last 13 weeks of the total (the chart), and on the week holding as_of_date the
-- quarter to date of the total, every role and every team.
select
    week_start_date,
    week_end_date,
    is_partial_week,
    dimension_type,
    dimension_value,
    dimension_label,
    activities,
    meetings_held,
    first_meetings,
    opportunities_created,
    pipeline_generated,
    activities_qtd,
    meetings_held_qtd,
    first_meetings_qtd,
    opportunities_created_qtd,
    pipeline_generated_qtd,
    meetings_per_opportunity_qtd,
    pipeline_per_meeting_qtd,
    activities_per_opportunity_qtd,
    week_end_date = as_of_date as is_latest
from marts.mart_amp_weekly
where
    pipeline_source = 'all'
    and (
        (dimension_type = 'total' and week_start_date > as_of_date - 13 * 7)
        or (dimension_type in ('team', 'role') and week_end_date = as_of_date)
    )
order by
    case dimension_type when 'total' then 0 when 'role' then 1 else 2 end,
    pipeline_generated_qtd desc,
    dimension_label,
    week_start_date
