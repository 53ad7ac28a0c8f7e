"""SPEC 10: the same dbt project runs on PostgreSQL and Spark and publishes the same marts as on
DuckDB.

The xs sample is ingested by two real Dagster runs on DuckDB: one with the batches extracted by
2026-11-05, then one with every batch. A throwaway PostgreSQL server gets the first run's raw
tables and builds the dbt project (models, data tests and unit tests) as of 2026-11-05; then the
later batches' raw rows are appended and a second build runs incrementally, as a daily run would.
A local Spark session gets every batch's raw rows and builds once (Spark rebuilds every model).
Every mart must then equal the DuckDB run's: the same columns with the same kinds of type, the
same rows, numbers equal to 1e-9 (the engines sum floating point in different orders).
"""

import json
import math
import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from postgres_server import PostgresServer, copy_tables
from support import failures, landing_up_to, run_refresh

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[1]
RAW_SCHEMAS = ["crm", "marketing", "plan"]
# dbt-spark and pyspark live in a venv of their own (Makefile: SPARK_VENV).
SPARK_BIN = REPO / ".venv-spark" / "bin"
CUTOFF_BATCH = "20261105T235959Z"
EARLY_AS_OF = "2026-11-05"
AS_OF = "2026-11-13"

# Column types by kind: engines name them differently (VARCHAR / text) and pick different exact
# types for a sum (HUGEINT / numeric); a float column must be a 64-bit float on every engine.
TYPE_KINDS = {
    "exact": ("bigint", "integer", "hugeint", "smallint", "decimal", "numeric"),
    "double": ("double", "double precision", "float8"),
    "text": ("varchar", "text", "character varying"),
    "timestamp": ("timestamp", "timestamp without time zone"),
}


def type_kind(type_name: str) -> str:
    name = type_name.lower().split("(")[0].strip()
    return next((kind for kind, names in TYPE_KINDS.items() if name in names), name)


def _value(value):
    """A value as compared: every number as a float, everything else as it is."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float | Decimal):
        return float(value)
    return value


def _sort_key(row):
    # None sorts first; floats rounded so that last-digit noise cannot reorder rows
    return tuple(
        (0, "") if v is None else (1, round(v, 6) if isinstance(v, float) else v) for v in row
    )


def table_differences(
    columns_a: list[tuple[str, str]],
    rows_a: list[tuple],
    columns_b: list[tuple[str, str]],
    rows_b: list[tuple],
) -> list[str]:
    """What differs between two tables given as (name, type) columns and rows; [] if nothing.
    Row order does not matter; numbers compare to a relative and absolute 1e-9."""
    names_a = [name for name, _ in columns_a]
    names_b = [name for name, _ in columns_b]
    if names_a != names_b:
        return [f"columns differ: {names_a} against {names_b}"]
    found = [
        f"column {name}: type {ta} against {tb}"
        for (name, ta), (_, tb) in zip(columns_a, columns_b, strict=True)
        if type_kind(ta) != type_kind(tb)
    ]
    if len(rows_a) != len(rows_b):
        return [*found, f"{len(rows_a)} rows against {len(rows_b)}"]
    a = sorted((tuple(map(_value, row)) for row in rows_a), key=_sort_key)
    b = sorted((tuple(map(_value, row)) for row in rows_b), key=_sort_key)
    for row_a, row_b in zip(a, b, strict=True):
        for name, x, y in zip(names_a, row_a, row_b, strict=True):
            same = (
                math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9)
                if isinstance(x, float) and isinstance(y, float)
                else x == y
            )
            if not same:
                found.append(f"column {name}: {x!r} against {y!r} in row {row_a}")
                break
        if len(found) >= 5:
            break
    return found


def test_table_differences_finds_each_kind_of_difference():
    cols = [("id", "VARCHAR"), ("n", "BIGINT"), ("rate", "DOUBLE"), ("day", "DATE")]
    pg_cols = [("id", "text"), ("n", "numeric"), ("rate", "double precision"), ("day", "date")]
    rows = [("a", 1, 0.1 + 0.2, date(2026, 1, 1)), ("b", 2, None, date(2026, 1, 2))]
    same = [("b", Decimal(2), None, date(2026, 1, 2)), ("a", Decimal(1), 0.3, date(2026, 1, 1))]
    assert table_differences(cols, rows, pg_cols, same) == []

    assert table_differences(cols, rows, pg_cols, same[:1]) == ["2 rows against 1"]
    changed = [same[0], ("a", Decimal(1), 0.3000001, date(2026, 1, 1))]
    assert (
        "column rate: 0.30000000000000004 against 0.3000001"
        in table_differences(cols, rows, pg_cols, changed)[0]
    )
    null_rate = [same[0], ("a", Decimal(1), None, date(2026, 1, 1))]
    assert table_differences(cols, rows, pg_cols, null_rate)
    float32 = [*pg_cols[:2], ("rate", "real"), pg_cols[3]]
    assert table_differences(cols, rows, float32, same) == ["column rate: type DOUBLE against real"]
    renamed = [*pg_cols[:3], ("date", "date")]
    assert table_differences(cols, rows, renamed, same)[0].startswith("columns differ")


def _dbt_build(
    target: str, target_path: Path, as_of: str, env: dict, *extra: str, bin_dir: Path | None = None
) -> dict:
    """dbt build on another engine's target (with the dbt of ``bin_dir``, else this venv's);
    its run_results.json."""
    dbt = str((bin_dir or Path(sys.executable).parent) / "dbt")
    options = {
        "--profiles-dir": ".",
        "--target": target,
        "--target-path": str(target_path),
        "--log-path": str(target_path / "logs"),
        "--vars": f"{{as_of_date: {as_of}}}",
    }
    result = subprocess.run(
        [dbt, "build", *(part for option in options.items() for part in option), *extra],
        cwd=REPO / "dbt",
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    return json.loads((target_path / "run_results.json").read_text())


def _assert_every_node_passed(build: dict, kinds: set[str]) -> None:
    statuses = {r["unique_id"]: r["status"] for r in build["results"]}
    assert set(statuses.values()) <= {"success", "pass"}, statuses
    assert kinds <= {uid.split(".")[0] for uid in statuses}


def _duckdb_marts(path: Path) -> dict[str, tuple[list, list]]:
    """Every mart of a DuckDB warehouse: name -> ((column, type) list, rows)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        marts = {}
        for (name,) in con.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'marts' order by 1"
        ).fetchall():
            columns = con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'marts' and table_name = ? order by ordinal_position",
                [name],
            ).fetchall()
            marts[name] = (columns, con.execute(f'select * from marts."{name}"').fetchall())
        return marts
    finally:
        con.close()


def _assert_same_marts(expected: dict, read_mart) -> None:
    """Each DuckDB mart against ``read_mart(name)`` on the other engine."""
    assert len(expected) >= 10
    differences = {}
    for name, (columns, rows) in expected.items():
        assert rows, f"{name} is empty on DuckDB: nothing would be compared"
        found = table_differences(columns, rows, *read_mart(name))
        if found:
            differences[name] = found
    assert differences == {}


@pytest.fixture(scope="module")
def duckdb_runs(xs_landing, dbt_manifest, tmp_path_factory):
    """Two real Dagster runs on DuckDB: the batches up to the cutoff, then every batch."""
    root = tmp_path_factory.mktemp("portability")
    early = landing_up_to(xs_landing, CUTOFF_BATCH, root / "landing_early")
    # The early run loads first, so the later batches carry later load times, which is what
    # the incremental staging models read.
    for landing, name, as_of in ((early, "early", EARLY_AS_OF), (xs_landing, "full", AS_OF)):
        result = run_refresh(landing, root / name, as_of=as_of)
        assert result.success, failures(result)
    return {
        "root": root,
        "early": root / "early" / "work.duckdb",
        "full": root / "full" / "work.duckdb",
    }


@pytest.fixture(scope="module")
def postgres(duckdb_runs):
    """A PostgreSQL server built like a daily schedule: the early raw rows and a full build,
    then the later batches' rows appended and an incremental build."""
    root = duckdb_runs["root"]
    with PostgresServer() as server:
        server.create_database("funnel")
        pg = server.connect("funnel")
        env = {"FUNNEL_PG_PORT": str(server.port), "FUNNEL_PG_DATABASE": "funnel"}
        try:
            assert copy_tables(duckdb_runs["early"], pg, RAW_SCHEMAS) > 0
            first = _dbt_build("postgres", root / "pg_first", EARLY_AS_OF, env)
            later = f"_batch > '{CUTOFF_BATCH}'"
            assert copy_tables(duckdb_runs["full"], pg, RAW_SCHEMAS, where=later) > 0
            second = _dbt_build("postgres", root / "pg_second", AS_OF, env)
            yield {"pg": pg, "builds": (first, second)}
        finally:
            pg.close()


def test_every_dbt_node_passes_on_postgres(postgres):
    for build in postgres["builds"]:
        _assert_every_node_passed(build, {"model", "test", "unit_test", "seed"})


def test_the_second_postgres_build_recomputes_only_changed_people(postgres):
    """The incremental-by-key models ran incrementally on PostgreSQL too: some people kept the
    first build's rows, and the later batches changed others."""
    first, second = (build["metadata"]["invocation_id"] for build in postgres["builds"])
    cursor = postgres["pg"].cursor()
    cursor.execute(
        "select computed_by_invocation_id, count(*) "
        "from intermediate.fct_funnel_stage_event__digests group by 1"
    )
    counts = dict(cursor.fetchall())
    assert set(counts) == {first, second}, counts
    assert counts[first] > 0 and counts[second] > 0


def test_postgres_publishes_the_same_marts_as_duckdb(duckdb_runs, postgres):
    cursor = postgres["pg"].cursor()

    def read_mart(name):
        cursor.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'marts' and table_name = %s order by ordinal_position",
            [name],
        )
        columns = cursor.fetchall()
        cursor.execute(f'select * from marts."{name}"')
        return columns, cursor.fetchall()

    _assert_same_marts(_duckdb_marts(duckdb_runs["full"]), read_mart)


@pytest.fixture(scope="module")
def spark(duckdb_runs):
    """A local Spark session's tables built from every batch's raw rows. Spark's Parquet tables
    cannot delete rows, so every model is rebuilt as a table (macros/portable.sql); the unit
    tests are left out, as their fixtures use generate_series, which Spark lacks."""
    if not (SPARK_BIN / "dbt").exists():
        pytest.fail(f"{SPARK_BIN} has no dbt: run `make engines` (it builds the Spark venv)")
    root = duckdb_runs["root"]
    parquet = root / "spark_raw"
    parquet.mkdir()
    con = duckdb.connect(str(duckdb_runs["full"]), read_only=True)
    try:
        for schema, table in con.execute(
            "select table_schema, table_name from information_schema.tables "
            f"where table_schema in ({', '.join(repr(s) for s in RAW_SCHEMAS)})"
        ).fetchall():
            target = parquet / f"{schema}.{table}.parquet"
            con.execute(f'copy "{schema}"."{table}" to \'{target}\' (format parquet)')
    finally:
        con.close()
    spark_dir = root / "spark"
    spark_dir.mkdir()
    python = SPARK_BIN / "python"
    loader = [str(python), str(REPO / "tests" / "spark_load.py"), str(spark_dir), str(parquet)]
    loaded = subprocess.run(loader, capture_output=True, text=True, check=False)
    assert loaded.returncode == 0, loaded.stderr[-4000:]
    build = _dbt_build(
        "spark",
        root / "spark_build",
        AS_OF,
        {"FUNNEL_SPARK_DIR": str(spark_dir)},
        "--exclude-resource-type",
        "unit_test",
        bin_dir=SPARK_BIN,
    )
    return {"dir": spark_dir, "build": build}


def test_every_dbt_node_passes_on_spark(spark):
    _assert_every_node_passed(spark["build"], {"model", "test", "seed"})


def test_spark_publishes_the_same_marts_as_duckdb(duckdb_runs, spark):
    """Spark's mart tables are Parquet files: read them as they are, with DuckDB."""

    def read_mart(name):
        files = spark["dir"] / "tables" / "marts.db" / name
        con = duckdb.connect()
        try:
            con.execute(f"create view mart as select * from read_parquet('{files}/*.parquet')")
            columns = [(row[0], row[1]) for row in con.execute("describe mart").fetchall()]
            return columns, con.execute("select * from mart").fetchall()
        finally:
            con.close()

    _assert_same_marts(_duckdb_marts(duckdb_runs["full"]), read_mart)
