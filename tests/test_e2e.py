"""End to end: real Dagster runs of refresh_all_job on real files (xs sample), in order:
a good run publishes; a corrupted batch fails the run at ingest and leaves the published files
byte-identical; a warning-level quality failure still publishes and is listed in the manifest."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml
from support import run_refresh

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def env(xs_landing, dbt_manifest, tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e")
    landing = root / "landing"
    shutil.copytree(xs_landing, landing)
    mp = pytest.MonkeyPatch()
    mp.setenv("FUNNEL_LANDING_DIR", str(landing))
    mp.setenv("FUNNEL_WAREHOUSE_DIR", str(root / "warehouse"))
    yield {"landing": landing, "warehouse": root / "warehouse"}
    mp.undo()


def run_job():
    """The job on this module's landing zone and warehouse (they change between tests)."""
    return run_refresh(
        Path(os.environ["FUNNEL_LANDING_DIR"]), Path(os.environ["FUNNEL_WAREHOUSE_DIR"])
    )


def published_bytes(warehouse: Path) -> dict[str, bytes]:
    pub = warehouse / "published"
    return {str(p.relative_to(pub)): p.read_bytes() for p in sorted(pub.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def first_run(env):
    result = run_job()
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    return result


# dbt seeds (lookup tables) have no SQL to trace columns through.
SEED_PREFIXES = tuple(sorted(p.stem for p in (REPO / "dbt" / "seeds").glob("*.csv")))


def test_good_run_publishes_marts_and_manifest(env, first_run):
    pub = env["warehouse"] / "published"
    con = duckdb.connect(str(pub / "analytics.duckdb"), read_only=True)
    tables = {r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_schema = 'marts'"
    ).fetchall()}  # fmt: skip
    assert {"dim_date", "dim_account", "dim_user"} <= tables
    q = con.execute(
        "select fiscal_quarter_label, day_of_fiscal_quarter from marts.dim_date "
        "where date_day = date '2026-11-13'"
    ).fetchall()
    assert q == [("FY2027-Q4", 13)]
    con.close()
    manifest = json.loads((pub / "manifest.json").read_text())
    assert manifest["as_of_date"] == "2026-11-13"
    assert manifest["run_id"] == first_run.run_id
    for mart in tables:
        assert (pub / "parquet" / f"{mart}.parquet").exists()
        assert manifest["marts"][mart]["rows"] > 0
    checks = {(c["asset"], c["check"]): c["outcome"] for c in manifest["checks"]}
    assert checks[("staging/stg_crm__opportunities", "gx_stg_crm__opportunities")] == "passed"
    assert checks[("crm/opportunity", "no_rejected_rows")] == "passed"
    assert any(name.startswith("unique_") for _, name in checks), "dbt tests are checks too"
    assert manifest["checks_summary"]["failed"] == 0


def test_staging_is_current_state_without_deletes(env, first_run):
    con = duckdb.connect(str(env["warehouse"] / "work.duckdb"), read_only=True)
    # latest version per id in raw; deleted ones must be absent from staging, others present
    latest = (
        "select * from crm.opportunity qualify row_number() over "
        "(partition by id order by system_modstamp desc, _batch desc, _row_number desc) = 1"
    )
    deleted = con.execute(f"select count(*) from ({latest}) where is_deleted").fetchall()[0][0]
    kept = con.execute(f"select count(*) from ({latest}) where not is_deleted").fetchall()[0][0]
    staged = con.execute("select count(*) from staging.stg_crm__opportunities").fetchall()[0][0]
    assert deleted > 0 and staged == kept
    leak = con.execute(
        f"select count(*) from staging.stg_crm__opportunities s join ({latest}) r "
        "on s.opportunity_id = r.id where r.is_deleted or s.stage_name <> r.stage_name"
    ).fetchall()[0][0]
    assert leak == 0
    con.close()


def test_published_parquet_has_the_marts_types(env, first_run):
    """BI tools read the DuckDB file or the Parquet files: a column must have one type in both.
    DuckDB writes a HUGEINT (what sum() of integers gives) to Parquet as a DOUBLE, so counts
    are cast to BIGINT in the models."""
    pub = env["warehouse"] / "published"
    con = duckdb.connect(str(pub / "analytics.duckdb"), read_only=True)
    marts = [r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_schema = 'marts'"
    ).fetchall()]  # fmt: skip
    assert len(marts) == 29
    for mart in marts:
        in_db = con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'marts' and table_name = ? order by ordinal_position",
            [mart],
        ).fetchall()
        in_parquet = [
            (r[0], r[1])
            for r in con.execute(
                f"describe select * from read_parquet('{pub / 'parquet' / mart}.parquet')"
            ).fetchall()
        ]
        assert in_parquet == in_db, mart
    con.close()


def test_model_columns_match_their_documentation(env, first_run):
    con = duckdb.connect(str(env["warehouse"] / "work.duckdb"), read_only=True)
    for yml in (REPO / "dbt" / "models").rglob("_*__models.yml"):
        for model in yaml.safe_load(yml.read_text())["models"]:
            sql = (yml.parent / f"{model['name']}.sql").read_text()
            if "materialized='ephemeral'" in sql:
                continue  # inlined into its users, no table to compare
            documented = [c["name"] for c in model["columns"]]
            actual = [r[0] for r in con.execute(
                "select column_name from information_schema.columns where table_name = ? "
                "order by ordinal_position", [model["name"]],
            ).fetchall()]  # fmt: skip
            assert actual == documented, model["name"]
    con.close()


def test_every_model_carries_row_count_columns_and_lineage_on_every_run(env, first_run):
    """What the UI shows about each dbt model (transform/metadata.py), on the first run (a full
    build) and on a second one, where the models incremental by key read their temporary
    tables of changed keys (their lineage used to fail there): every model's columns with
    their types, its lineage for every column, and every table's row count as the warehouse
    has it."""
    second = run_job()
    assert second.success
    con = duckdb.connect(str(env["warehouse"] / "work.duckdb"), read_only=True)
    for result in (first_run, second):
        materialized = {}
        for event in result.all_events:
            if event.event_type_value == "ASSET_MATERIALIZATION" and event.step_key == "dbt_models":
                data = event.event_specific_data.materialization
                materialized[data.asset_key.path[-1]] = data.metadata
        models = {k: m for k, m in materialized.items() if not k.startswith(SEED_PREFIXES)}
        assert len(models) > 40
        for name, metadata in models.items():
            schema = metadata["dagster/column_schema"].value
            own = [c.name for c in schema.columns]
            assert own and all(c.type != "?" for c in schema.columns), name
            assert "dagster/column_lineage" in metadata, name
            lineage = metadata["dagster/column_lineage"].value
            assert set(lineage.deps_by_column) == set(own), name
            # the day spine is generated, not read from a table
            assert any(lineage.deps_by_column.values()) or name == "int_days_spined", name
            if "dagster/row_count" in metadata:
                schema_name = "marts" if name.startswith(("fct_", "dim_", "mart_")) else None
                (count,) = con.execute(
                    "select estimated_size from duckdb_tables() where table_name = ?"
                    + (" and schema_name = ?" if schema_name else ""),
                    [name, schema_name] if schema_name else [name],
                ).fetchone()
                assert metadata["dagster/row_count"].value == count, name
        tables = [k for k, m in models.items() if "dagster/row_count" in m]
        assert len(tables) > 30
    con.close()


def test_corrupted_batch_fails_at_ingest_and_published_files_stay(env, first_run):
    before = published_bytes(env["warehouse"])
    bad = env["landing"] / "crm" / "Account" / "20261114T235959Z.csv"
    bad.write_text('Id,Name\n001X,"unterminated\n001Y,ok,extra\n')
    try:
        result = run_job()
    finally:
        bad.unlink()
    assert not result.success
    failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert [e.step_key for e in failures] == ["ingest_extracts"]
    message = failures[0].event_specific_data.error.message
    assert "crm/Account/20261114T235959Z.csv: line 2 opens a quoted value" in message
    assert "Possible fixes" not in message and "strict_mode" not in message
    assert published_bytes(env["warehouse"]) == before


def test_warning_check_publishes_and_is_reported(env, first_run):
    # A negative amount breaks a warning-level expectation only: publish, and say so.
    batch = env["landing"] / "crm" / "Opportunity" / "20261115T235959Z.csv"
    batch.write_text(
        "Id,StageName,CloseDate,CreatedDate,Amount,CurrencyIsoCode,Probability\n"
        "006NEG,Prospecting,2026-12-15,2026-11-15T10:00:00Z,-500,USD,10\n"
    )
    result = run_job()
    assert result.success
    manifest = json.loads((env["warehouse"] / "published" / "manifest.json").read_text())
    assert manifest["run_id"] == result.run_id
    checks = {c["check"]: c for c in manifest["checks"]}
    assert checks["gx_stg_crm__opportunities"]["outcome"] == "warned"
    assert "amount_local" in checks["gx_stg_crm__opportunities"]["description"]
    assert manifest["as_of_date"] == "2026-11-15"


def test_a_new_day_reuses_the_dbt_parse_state(env, first_run):
    # The run before this one (the warning check's) was for a new as_of_date in the same
    # warehouse; passing the date as a dbt var would have made dbt re-parse everything.
    manifest = json.loads((env["warehouse"] / "published" / "manifest.json").read_text())
    assert manifest["as_of_date"] != "2026-11-13"
    log = (env["warehouse"] / "dbt-runs" / manifest["run_id"][:8] / "dbt.log").read_text()
    assert "Unable to do partial parsing" not in log
    assert "Partial parsing enabled" in log


def test_dbt_unit_tests_pass(env, first_run):
    # Runs leave the dbt unit tests out (they test SQL on fixed inputs, not the day's data), so
    # they run here, against the warehouse of a real run (dbt reads the inputs' column types).
    dbt = Path(sys.executable).with_name("dbt")
    done = subprocess.run(
        [str(dbt), "test", "--select", "test_type:unit", "--vars", "{as_of_date: 2026-11-13}",
         "--target-path", str(env["warehouse"] / "dbt-unit-tests")],
        cwd=REPO / "dbt", capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:]
    defined = json.loads((REPO / "dbt" / "target" / "manifest.json").read_text())["unit_tests"]
    passed = re.search(r"PASS=(\d+) WARN=0 ERROR=0", done.stdout)
    assert passed and int(passed.group(1)) == len(defined) > 0, done.stdout[-2000:]


def test_the_manifest_follows_every_mart_column_to_its_extract_columns(env, first_run):
    """An analyst follows a published number to the extract columns it is computed from without
    SQL: manifest.json lists each mart's description and columns, with type, description and
    the extract (or lookup) columns behind each."""
    manifest = json.loads((env["warehouse"] / "published" / "manifest.json").read_text())
    for mart, entry in manifest["marts"].items():
        assert "one row per" in entry["description"].lower(), mart  # the grain
        assert entry["columns"] and all(c["type"] for c in entry["columns"]), mart
        # the fiscal calendar is generated, from no extract
        assert any(c["from_extracts"] for c in entry["columns"]) or mart == "dim_date", mart
    columns = {c["name"]: c for c in manifest["marts"]["fct_opportunity"]["columns"]}
    acv = columns["acv_corp"]["from_extracts"]
    assert {"crm/opportunity.acv_c", "crm/opportunity.amount"} <= set(acv)
    assert {"crm/dated_conversion_rate.conversion_rate", "crm/currency_type.conversion_rate"} <= (
        set(acv)
    )
    assert columns["region"]["from_extracts"] == [
        "crm/account.region_c",
        "lookup/country_region.region",
    ]
