"""The sample-data generator: deterministic, the committed sample is its output, and the
business it simulates has the shape the SPEC describes."""

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from dagster_project.sample.generate import generate
from dagster_project.sample.write import write_landing
from tests.conftest import read_text_any

REPO = Path(__file__).resolve().parents[1]
COMMITTED = REPO / "seeds" / "landing"


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): read_text_any(p) for p in sorted(root.rglob("*")) if p.is_file()
    }


def _cli(out: Path, seed: int, hash_seed: str) -> None:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    subprocess.run(
        [sys.executable, "-m", "dagster_project.sample", "--scale", "xs", "--seed", str(seed),
         "--out", str(out)],
        check=True, env=env, cwd=REPO, capture_output=True,
    )  # fmt: skip


def test_same_seed_same_files_other_seed_other_files(tmp_path):
    """Separate processes with different hash seeds: nothing may depend on set/dict order."""
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    _cli(a, 3, "1")
    _cli(b, 3, "2")
    _cli(c, 4, "1")
    assert _files(a) == _files(b)
    assert _files(a) != _files(c)


def test_committed_sample_is_exactly_the_generator_output(tmp_path):
    """seeds/landing = `make sample` (scale s, seed 7, gzip); compared decompressed."""
    out = tmp_path / "s"
    write_landing(generate("s", 7), out, gzip=True)
    assert _files(COMMITTED) == _files(out), "seeds/landing is stale: run `make sample`"


@pytest.fixture(scope="module")
def s_sample():
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")

    def read(source, obj):
        return f"read_csv('{COMMITTED}/{source}/{obj}/*.csv.gz', union_by_name = true)"

    return con, read


def _current(read, obj, key="Id", order="SystemModstamp"):
    return (
        f"(select * from {read('crm', obj)} qualify row_number() over "
        f"(partition by {key} order by {order} desc) = 1)"
    )


def test_layout_full_extract_and_fourteen_daily_batches():
    batches = sorted(p.name for p in (COMMITTED / "crm" / "Opportunity").iterdir())
    assert batches[0] == "20261030T235959Z.csv.gz"
    assert batches[-1] == "20261113T235959Z.csv.gz"
    assert len(batches) == 15
    for source, obj in [("crm", "LeadHistory"), ("crm", "OpportunityHistory"),
                        ("crm", "OpportunityFieldHistory"), ("crm", "DatedConversionRate"),
                        ("marketing", "activity"), ("plan", "target")]:  # fmt: skip
        assert any((COMMITTED / source / obj).iterdir()), obj


def test_pipeline_sources_shares(s_sample):
    con, read = s_sample
    shares = dict(
        con.execute(
            f"select Pipeline_Source__c, count(*) / sum(count(*)) over () "
            f"from {_current(read, 'Opportunity')} group by 1"
        ).fetchall()
    )
    assert shares["AE"] > 0.5
    assert 0.2 <= shares["BDR"] <= 0.3
    assert {"SDR", "ECS", "Cloud Sales"} <= set(shares)


def test_business_dimensions(s_sample):
    con, read = s_sample
    currencies = con.execute(
        f"select distinct CurrencyIsoCode from {read('crm', 'Opportunity')}"
    ).fetchall()
    assert {c[0] for c in currencies} == {"USD", "EUR", "GBP", "JPY"}
    regions = con.execute(f"select distinct Region__c from {read('crm', 'Account')}").fetchall()
    assert {r[0] for r in regions} == {"AMER", "EMEA", "APAC"}
    families = con.execute(f"select count(distinct Family) from {read('crm', 'Product2')}")
    assert 4 <= families.fetchall()[0][0] <= 6
    levels = con.execute(
        f"select count(*) filter (where ParentId is null), "
        f"count(distinct Type) from {read('crm', 'Campaign')}"
    ).fetchall()[0]
    assert levels[0] >= 3 and levels[1] > 5


def test_history_three_fiscal_years_and_quarter_end_seasonality(s_sample):
    con, read = s_sample
    first, last = con.execute(
        f"select min(CreatedDate::timestamptz), max(CreatedDate::timestamptz) "
        f"from {read('crm', 'Lead')}"
    ).fetchall()[0]
    assert (last - first).days > 3 * 365 - 30
    # wins bunch in the last month of the fiscal quarter (Apr, Jul, Oct, Jan)
    share = con.execute(
        f"select avg(case when month(CloseDate::date) in (1, 4, 7, 10) then 1 else 0 end) "
        f"from {_current(read, 'Opportunity')} where StageName = 'Closed Won'"
    ).fetchall()[0][0]
    assert share > 0.45


def test_funnel_hops_and_recycles_and_skips(s_sample):
    con, read = s_sample
    statuses = dict(
        con.execute(
            f"select NewValue, count(*) from {read('crm', 'LeadHistory')} group by 1"
        ).fetchall()
    )
    assert statuses["Nurture"] > statuses["MQL"] > statuses["Working"] > 0
    assert statuses["Recycled"] > 0 and statuses["Qualified"] > 0
    # some leads convert without ever being accepted (SAL skipped)
    skipped = con.execute(
        f"with h as (select * from {read('crm', 'LeadHistory')}) "
        "select count(distinct LeadId) from h where NewValue = 'Qualified' and LeadId not in "
        "(select LeadId from h where NewValue = 'Working')"
    ).fetchall()[0][0]
    assert skipped > 0
    # marketing score crosses the MQL threshold
    crossings = con.execute(
        f"select count(*) from {read('marketing', 'activity')} where activity_type = "
        "'score_change' and score_after >= 100 and score_after - score_delta < 100"
    ).fetchall()[0][0]
    assert crossings > 0


def test_incremental_batches_change_and_delete_records(s_sample):
    con, read = s_sample
    opp = read("crm", "Opportunity")
    changed = con.execute(
        f"select count(*) from (select Id from {opp} group by Id having count(*) > 1)"
    ).fetchall()[0][0]
    deleted = con.execute(f"select count(*) from {opp} where IsDeleted").fetchall()[0][0]
    pushes = con.execute(
        f"select count(*) from {read('crm', 'OpportunityFieldHistory')} where Field = 'CloseDate'"
    ).fetchall()[0][0]
    assert changed > 10 and deleted > 0 and pushes > 0
