"""The sales dashboards on the committed sample (seeds/landing): Daily Pipe Gen has a row for
every day and slice, its owners and products add up to the total day by day, its running
totals are the days summed, and the sample's SDR team is behind its target this quarter."""

from pathlib import Path

import pytest
from support import query

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def db(sample_warehouse) -> Path:
    return sample_warehouse / "published" / "analytics.duckdb"


def test_every_day_of_the_quarter_is_a_row_for_every_slice(db):
    rows = query(
        db,
        "select fiscal_period, dimension_type, dimension_value, count(*), "
        "max(day_of_quarter), bool_and(is_current_quarter) "
        "from marts.mart_daily_pipe_gen group by all",
    )
    assert {r[1] for r in rows} == {"total", "source", "region", "segment", "product", "owner"}
    for period, kind, value, days, last_day, current in rows:
        assert days == last_day, (period, kind, value)
        if not current:
            assert last_day >= 89, (period, kind, value)


def test_owners_and_products_add_up_to_the_total_each_day(db):
    rows = query(
        db,
        """
        select fiscal_period, date_day, dimension_type,
               sum(pipeline_generated), sum(deals_generated),
               max(case when dimension_type = 'total' then 0 end)
        from marts.mart_daily_pipe_gen
        where dimension_type in ('total', 'owner', 'product')
        group by all
        """,
    )
    by_day: dict[tuple, dict] = {}
    for period, day, kind, amount, deals, _ in rows:
        by_day.setdefault((period, day), {})[kind] = (amount, deals)
    assert len(by_day) > 100
    for key, kinds in by_day.items():
        total_amount, total_deals = kinds["total"]
        owner_amount, owner_deals = kinds["owner"]
        assert owner_amount == pytest.approx(total_amount, abs=0.01), key
        assert owner_deals == total_deals, key
        assert kinds["product"][0] == pytest.approx(total_amount, abs=0.01), key


def test_running_totals_are_the_days_summed(db):
    ((worst,),) = query(
        db,
        """
        select max(abs(pipeline_generated_qtd - summed)) from (
            select pipeline_generated_qtd,
                   sum(pipeline_generated) over (
                       partition by fiscal_period, dimension_type, dimension_value
                       order by date_day) as summed
            from marts.mart_daily_pipe_gen)
        """,
    )
    assert worst < 0.01


def test_the_sdr_team_is_behind_its_pipeline_target_this_quarter(db):
    """The sample makes Daily Pipe Gen say something: on as_of_date the SDR source slice has
    generated under 85% of its target to date (red) and needs more per day than it has run."""
    ((qtd, target_to_date, pacing, status, run_rate, needed),) = query(
        db,
        "select pipeline_generated_qtd, target_to_date, pacing, rag_status, "
        "run_rate_to_date, required_run_rate from marts.mart_daily_pipe_gen "
        "where is_current_quarter and date_day = as_of_date "
        "and dimension_type = 'source' and dimension_value = 'SDR'",
    )
    assert pacing == pytest.approx(qtd / target_to_date, rel=1e-9)
    assert pacing < 0.85 and status == "red"
    assert needed > run_rate
