"""The APM marts on a real run (xs sample), and dbt replays of the same warehouse at earlier
as_of_dates: YoY is the value as known a year earlier (not today's view of last year), and a
review day's row is the same whichever later run computed it."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import extract_current_state, query

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[1]
AS_OF = "2026-11-13"


@pytest.fixture(scope="module")
def run(xs_warehouse):
    return xs_warehouse


def _replay(warehouse: Path, as_of: str, tmp_path: Path) -> Path:
    """A copy of the run's warehouse rebuilt by dbt with an earlier as_of_date."""
    copy = tmp_path / f"replay-{as_of}"
    copy.mkdir()
    shutil.copy2(warehouse / "work.duckdb", copy / "work.duckdb")
    dbt = Path(sys.executable).with_name("dbt")
    args = ["run", "--quiet", "--profiles-dir", ".", "--target-path", str(copy / "target")]
    args += ["--select", "+mart_apm+", "--exclude", "path:models/staging"]
    args += ["--vars", f"{{as_of_date: '{as_of}'}}"]
    subprocess.run(
        [str(dbt), *args],
        cwd=REPO / "dbt",
        env={**os.environ, "FUNNEL_WAREHOUSE_DIR": str(copy)},
        check=True,
    )
    return copy / "work.duckdb"


APM_CELL = """
    select metric, dimension_type, dimension_value, {column}
    from marts.mart_apm
    where as_of_date = date '{as_of}' and fiscal_period = '{period}'
    order by 1, 2, 3
"""


def test_yoy_is_last_year_as_known_then(run, tmp_path):
    db = run / "work.duckdb"
    ((ly_day, ly_period),) = query(
        db,
        f"select ly_as_of_date, ly_fiscal_period from intermediate.int_apm__report_days "
        f"where as_of_date = date '{AS_OF}' and period_offset = 0",
    )
    assert (str(ly_day), ly_period) == ("2025-11-13", "FY2026-Q4")
    replay = _replay(run, str(ly_day), tmp_path)
    then = {
        r[:3]: r[3]
        for r in query(replay, APM_CELL.format(column="value", as_of=ly_day, period=ly_period))
        if not r[0].startswith("coverage")
    }
    now_ly = {
        r[:3]: r[3]
        for r in query(db, APM_CELL.format(column="value_ly", as_of=AS_OF, period="FY2027-Q4"))
        if not r[0].startswith("coverage")
    }
    shared = then.keys() & now_ly.keys()
    assert len(shared) > 20
    for key in shared:
        assert now_ly[key] == pytest.approx(then[key], abs=0.01), key
    # ... and it is not today's view of last year: the whole quarter has closed since.
    (final_won,) = query(
        db,
        "select sum(acv_corp) from marts.fct_opportunity "
        f"where is_won and not is_excluded and close_fiscal_quarter = '{ly_period}'",
    )
    assert final_won[0] > now_ly[("closed_won_acv", "total", "total")] * 1.5


def test_review_day_rows_do_not_depend_on_the_run_date(run, tmp_path):
    db = run / "work.duckdb"
    # 2026-11-09 is a Monday review day: the run of the 13th and a replay on the 10th agree.
    replay = _replay(run, "2026-11-10", tmp_path)
    cells = APM_CELL.format(
        column="value, value_ly, rag_status", as_of="2026-11-09", period="FY2027-Q4"
    )
    ran, replayed = query(db, cells), query(replay, cells)
    assert len(ran) > 50
    assert [r[:3] + r[5:] for r in ran] == [r[:3] + r[5:] for r in replayed]
    # sums of floats may differ in the last bit with the order DuckDB adds them in
    for a, b in zip(ran, replayed, strict=True):
        for x, y in zip(a[3:5], b[3:5], strict=True):
            assert (x is None and y is None) or x == pytest.approx(y, rel=1e-9), a[:3]


def test_current_quarter_reads_like_the_business(run):
    pub = run / "published" / "analytics.duckdb"
    rows = query(
        pub,
        f"""
        select metric, value, target_period, rag_status from marts.mart_apm
        where as_of_date = date '{AS_OF}' and fiscal_period = 'FY2027-Q4'
          and dimension_type = 'total'
        """,
    )
    by_metric = {m: (v, t, rag) for m, v, t, rag in rows}
    assert set(by_metric) == {
        "forecast_commit",
        "forecast_best_case",
        "closed_won_acv",
        "open_pipeline",
        "pipeline_generation",
        "coverage_remaining",
        "coverage_gross",
    }
    won, commit, best = (
        by_metric[m][0] for m in ("closed_won_acv", "forecast_commit", "forecast_best_case")
    )
    assert 0 <= won <= commit <= best
    assert by_metric["open_pipeline"][0] > 0
    # Coverage is null or positive, never infinite or negative.
    for m in ("coverage_remaining", "coverage_gross"):
        value = by_metric[m][0]
        assert value is None or 0 <= value < 1e6
    # Sourcing shares: AE creates more than half of the pipeline, BDR about a quarter.
    shares = dict(
        query(
            pub,
            "select pipeline_source, count(*) * 1.0 / sum(count(*)) over () "
            "from marts.fct_opportunity group by 1",
        )
    )
    assert shares["AE"] > 0.45 and 0.15 < shares["BDR"] < 0.35


def _quarter_start(day):
    """First day of the fiscal quarter holding ``day`` (fiscal years start in February)."""
    months_in = (day.month - 2) % 3
    month = day.month - months_in
    year = day.year - (1 if month < 1 else 0)
    return day.replace(year=year, month=(month - 1) % 12 + 1, day=1)


def test_sales_velocity_levers_are_trailing_four_quarters_recounted_from_extracts(run, xs_landing):
    """docs/metrics.md §3.13: the quarter in progress is valued at the last four closed quarters'
    win rate, deal size and cycle, recounted here from the Opportunity, OpportunityStage and
    DatedConversionRate extracts and the stage seed, not from the models."""
    from datetime import date

    import pandas as pd

    as_of = date.fromisoformat(AS_OF)
    current_start = _quarter_start(as_of)
    window_start = current_start.replace(year=current_start.year - 1)
    opps = extract_current_state(xs_landing, "crm", "Opportunity")
    stages = pd.read_csv(REPO / "dbt" / "seeds" / "stage_mapping.csv")
    excluded = set(stages.loc[stages["is_excluded"], "stage_name"])
    closed_won = set(stages.loc[stages["is_won"], "stage_name"])
    closed_lost = set(stages.loc[stages["is_closed"] & ~stages["is_won"], "stage_name"]) - excluded
    opps["close"] = pd.to_datetime(opps["CloseDate"]).dt.date
    opps["created"] = pd.to_datetime(opps["CreatedDate"].str[:10]).dt.date
    window = opps[
        (opps["close"] >= window_start)
        & (opps["close"] < current_start)
        & opps["StageName"].isin(closed_won | closed_lost)
    ]
    won = window[window["StageName"].isin(closed_won)].copy()
    rates = extract_current_state(xs_landing, "crm", "DatedConversionRate")

    def rate(iso, day):
        match = rates[
            (rates["IsoCode"] == iso)
            & (rates["StartDate"] <= day.isoformat())
            & (day.isoformat() < rates["NextStartDate"])
        ]
        assert len(match) == 1, (iso, day)
        return float(match["ConversionRate"].iloc[0])

    acv_local = won["ACV__c"].where(won["ACV__c"] != "", won["Amount"]).astype(float)
    won["acv_corp"] = [
        a / rate(iso, day)
        for a, iso, day in zip(acv_local, won["CurrencyIsoCode"], won["close"], strict=True)
    ]
    won["cycle"] = [(c - s).days for c, s in zip(won["close"], won["created"], strict=True)]
    positive, cycled = won[won["acv_corp"] > 0], won[won["cycle"] >= 0]
    expected = {
        "trailing_won_count": len(won),
        "trailing_closed_count": len(window),
        "trailing_average_deal_size": positive["acv_corp"].sum() / len(positive),
        "trailing_cycle_days_mean": cycled["cycle"].sum() / len(cycled),
    }
    assert len(won) >= 10 and len(window) > len(won)
    ((first, last, created, velocity, *levers),) = query(
        run / "published" / "analytics.duckdb",
        f"""
        select trailing_first_period, trailing_last_period,
               pipeline_created_count, sales_velocity_per_day, {", ".join(expected)}
        from marts.mart_apm_kpi
        where dimension_type = 'total' and fiscal_period = 'FY2027-Q4'
        """,
    )
    assert (first, last) == ("FY2026-Q4", "FY2027-Q3")
    for (name, want), got in zip(expected.items(), levers, strict=True):
        assert got == pytest.approx(want, rel=1e-9), name
    win_rate = len(won) / len(window)
    assert velocity == pytest.approx(
        created
        * win_rate
        * expected["trailing_average_deal_size"]
        / expected["trailing_cycle_days_mean"],
        rel=1e-9,
    )
