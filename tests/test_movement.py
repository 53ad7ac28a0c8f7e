"""Pipeline movement on the committed sample (seeds/landing): every bucket has something in it,
the quarter's won deals recounted from the extracts, and the chained weekly windows adding up
to the quarter-to-date window."""

from datetime import date
from pathlib import Path

import pytest
from support import query, recount_won_deals

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "seeds" / "landing"
BUCKETS = {
    "created", "pulled_in", "requalified", "increased", "decreased", "fx_revaluation",
    "won", "lost", "pushed_out", "slipped", "pulled_out", "removed",
}  # fmt: skip


@pytest.fixture(scope="module")
def sample_db(sample_warehouse) -> Path:
    return sample_warehouse / "published" / "analytics.duckdb"


def _as_of(db: Path) -> date:
    ((day,),) = query(db, "select max(window_end_date) from marts.mart_pipeline_waterfall")
    return day


def test_every_bucket_moves_on_the_committed_sample(sample_db):
    seen = {
        b for (b,) in query(sample_db, "select distinct bucket from marts.fct_pipeline_movement")
    }
    assert seen == BUCKETS


def test_won_since_the_quarter_started_recounted_from_the_extracts(sample_db):
    """-(won bucket) of the quarter-to-date waterfall = ACV of the deals won in the quarter by
    as_of_date, recounted from the Opportunity and DatedConversionRate extracts."""
    as_of = _as_of(sample_db)
    ((quarter, start),) = query(
        sample_db,
        "select fiscal_period, period_start_date from marts.mart_pipeline_waterfall "
        f"where window_type = 'quarter_to_date' and date '{as_of}' "
        "between period_start_date and period_start_date + interval 92 day "
        "and window_start_date = period_start_date - interval 1 day limit 1",
    )
    acv = list(recount_won_deals(SAMPLE, start, as_of)["acv"])
    expected = sum(a for a in acv if a > 0)
    ((moved, deals),) = query(
        sample_db,
        "select -amount_corp, deal_count from marts.mart_pipeline_waterfall "
        f"where window_type = 'quarter_to_date' and fiscal_period = '{quarter}' "
        "and dimension_type = 'total' and bucket = 'won'",
    )
    assert deals == sum(1 for a in acv if a > 0) >= 1
    assert moved == pytest.approx(expected, rel=1e-9)


def test_chained_review_windows_add_up_to_the_quarter_to_date_window(sample_db):
    """Gross movement (week by week) nets to the same change as the two-point window."""
    as_of = _as_of(sample_db)
    rows = query(
        sample_db,
        f"""
        with qtd as (
            select window_start_date, fiscal_period, dimension_type, dimension_value,
                   sum(case when bucket = 'end' then amount_corp
                            when bucket = 'start' then -amount_corp else 0 end) as net
            from marts.mart_pipeline_waterfall
            where window_type = 'quarter_to_date'
            group by all
        ),
        chained as (
            select w.fiscal_period, w.dimension_type, w.dimension_value,
                   sum(w.amount_corp) as net, count(distinct w.window_start_date) as windows
            from marts.mart_pipeline_waterfall as w
            inner join qtd
                on w.fiscal_period = qtd.fiscal_period
                and w.dimension_type = qtd.dimension_type
                and w.dimension_value = qtd.dimension_value
            where w.window_type = 'review_to_review'
              and w.window_start_date >= qtd.window_start_date
              and w.window_end_date <= date '{as_of}'
              and w.bucket not in ('start', 'end')
            group by all
        )
        select qtd.fiscal_period, qtd.dimension_type, qtd.dimension_value, qtd.net,
               coalesce(chained.net, 0), coalesce(chained.windows, 0)
        from qtd left join chained using (fiscal_period, dimension_type, dimension_value)
        """,
    )
    assert len(rows) > 10
    assert max(windows for *_, windows in rows) >= 2
    for quarter, dim_type, dim_value, net, chained_net, _ in rows:
        assert chained_net == pytest.approx(net, abs=0.01), (quarter, dim_type, dim_value)


def test_a_closed_quarters_final_closed_won_recounted_from_the_extracts(sample_db):
    """mart_forecast_trajectory.final_closed_won of the last closed quarter = the ACV of its won
    deals, recounted from the Opportunity and DatedConversionRate extracts (the sample records
    each win on its close date, so the state at quarter end is today's)."""
    ((quarter, start, end, final),) = query(
        sample_db,
        "select fiscal_period, period_start_date, period_end_date, max(final_closed_won) "
        "from marts.mart_forecast_trajectory where is_quarter_closed "
        "group by all order by period_start_date desc limit 1",
    )
    # the quarter's deals as the sample records them: no exclusion list in play
    won = recount_won_deals(SAMPLE, start, end, exclusions=False)
    total = won["acv"].sum()
    assert len(won) >= 5, quarter
    assert final == pytest.approx(total, rel=1e-9)


def test_owner_slices_balance_with_the_reassignments_in_the_extract(sample_db):
    """Owner slices: every owner's start + buckets = end, transfers in and out cancel per
    window, and the owners on both sides of a transfer are a reassignment recorded in the
    OpportunityFieldHistory extract inside that window."""
    from support import extract_current_state

    rows = query(
        sample_db,
        "select window_type, window_start_date, window_end_date, fiscal_period, "
        "dimension_value, bucket, amount_corp from marts.mart_pipeline_waterfall "
        "where dimension_type = 'owner'",
    )
    balance: dict[tuple, float] = {}
    transfers: dict[tuple, dict[str, set]] = {}
    for window, start, end, period, owner, bucket, amount in rows:
        key = (window, start, end, period)
        sign = -1.0 if bucket == "end" else 1.0
        balance[(*key, owner)] = balance.get((*key, owner), 0.0) + sign * amount
        if bucket.startswith("transferred_"):
            transfers.setdefault(key, {"in": set(), "out": set()})
            transfers[key][bucket.removeprefix("transferred_")].add(owner)
            balance[(*key, "transfers")] = balance.get((*key, "transfers"), 0.0) + amount
    assert all(abs(v) < 0.01 for v in balance.values())
    assert transfers, "the sample reassigns deals inside a review window"
    history = extract_current_state(SAMPLE, "crm", "OpportunityFieldHistory")
    moves = history[history["Field"] == "Owner"].copy()
    moves["day"] = moves["CreatedDate"].str[:10]
    for (_, start, end, _), sides in transfers.items():
        inside = moves[(moves["day"] > start.isoformat()) & (moves["day"] <= end.isoformat())]
        assert sides["out"] <= set(inside["OldValue"]), (start, end)
        assert sides["in"] <= set(inside["NewValue"]), (start, end)
