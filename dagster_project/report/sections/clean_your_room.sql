-- Clean Your Room on as_of_date: each reason for the total, and every owner's deals flagged
-- for any reason.
select
    dimension_type,
    dimension_value,
    dimension_label,
    reason,
    deals,
    acv_corp,
    open_deals,
    open_acv_corp,
    share_of_deals,
    share_of_acv
from marts.mart_clean_your_room
where
    is_as_of_date
    and (
        dimension_type = 'total'
        or (dimension_type = 'owner' and reason = 'any')
    )
order by dimension_type desc, acv_corp desc, deals desc, dimension_label, reason
