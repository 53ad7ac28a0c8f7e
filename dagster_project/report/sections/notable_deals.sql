-- The deals behind the month: the five largest of each list.
select
    period_type,
    period_label,
    category,
    deal_rank,
    opportunity_id,
    opportunity_name,
    account_name,
    owner_name,
    stage_name,
    close_date,
    close_date_before_push,
    acv_corp
from marts.mart_notable_deals
where deal_rank <= 5
order by
    case period_type when 'month' then 0 when 'quarter' then 1 else 2 end,
    case category
        when 'won' then 0 when 'lost' then 1 when 'pushed' then 2
        when 'created' then 3 else 4
    end,
    deal_rank
