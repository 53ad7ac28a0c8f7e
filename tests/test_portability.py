"""SPEC 10: the same dbt project runs on PostgreSQL and publishes the same marts as on DuckDB.

The xs sample is ingested by two real Dagster runs on DuckDB: one with the batches extracted by
2026-11-05, then one with every batch. A throwaway PostgreSQL server gets the first run's raw
tables and builds the dbt project (models, data tests and unit tests) as of 2026-11-05; then the
later batches' raw rows are appended and a second build runs incrementally, as a daily run would.
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
CUTOFF_BATCH = "20261105T235959Z"
EARLY_AS_OF = "2026-11-05"
AS_OF = "2026-11-13"

# Column types by kind: engines name them differently (VARCHAR / text) and pick different exact
# types for a sum (HUGEINT / numeric); a float column must be a 64-bit float on both.
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


def _dbt_build(target_path: Path, port: int, as_of: str) -> dict:
    """dbt build on the PostgreSQL target; its run_results.json."""
    env = {**os.environ, "FUNNEL_PG_PORT": str(port), "FUNNEL_PG_DATABASE": "funnel"}
    dbt = str(Path(sys.executable).with_name("dbt"))
    options = {
        "--profiles-dir": ".",
        "--target": "postgres",
        "--target-path": str(target_path),
        "--log-path": str(target_path / "logs"),
        "--vars": f"{{as_of_date: {as_of}}}",
    }
    result = subprocess.run(
        [dbt, "build", *(part for option in options.items() for part in option)],
        cwd=REPO / "dbt",
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    return json.loads((target_path / "run_results.json").read_text())


@pytest.fixture(scope="module")
def engines(xs_landing, dbt_manifest, tmp_path_factory):
    """The DuckDB warehouse of every batch and the PostgreSQL server built like it."""
    root = tmp_path_factory.mktemp("portability")
    early = landing_up_to(xs_landing, CUTOFF_BATCH, root / "landing_early")
    # The early run loads first, so the later batches carry later load times, which is what
    # the incremental staging models read.
    for landing, name, as_of in ((early, "early", EARLY_AS_OF), (xs_landing, "full", AS_OF)):
        result = run_refresh(landing, root / name, as_of=as_of)
        assert result.success, failures(result)

    with PostgresServer() as server:
        server.create_database("funnel")
        pg = server.connect("funnel")
        try:
            assert copy_tables(root / "early" / "work.duckdb", pg, RAW_SCHEMAS) > 0
            first = _dbt_build(root / "dbt_first", server.port, EARLY_AS_OF)
            later = f"_batch > '{CUTOFF_BATCH}'"
            assert copy_tables(root / "full" / "work.duckdb", pg, RAW_SCHEMAS, where=later) > 0
            second = _dbt_build(root / "dbt_second", server.port, AS_OF)
            yield {
                "duckdb": root / "full" / "work.duckdb",
                "pg": pg,
                "builds": (first, second),
            }
        finally:
            pg.close()


def test_every_dbt_node_passes_on_postgres(engines):
    for build in engines["builds"]:
        statuses = {r["unique_id"]: r["status"] for r in build["results"]}
        assert {s for s in statuses.values()} <= {"success", "pass"}, statuses
        kinds = {uid.split(".")[0] for uid in statuses}
        assert {"model", "test", "unit_test", "seed"} <= kinds


def test_the_second_postgres_build_recomputes_only_changed_people(engines):
    """The incremental-by-key models ran incrementally on PostgreSQL too: some people kept the
    first build's rows, and the later batches changed others."""
    first, second = (build["metadata"]["invocation_id"] for build in engines["builds"])
    cursor = engines["pg"].cursor()
    cursor.execute(
        "select computed_by_invocation_id, count(*) "
        "from intermediate.fct_funnel_stage_event__digests group by 1"
    )
    counts = dict(cursor.fetchall())
    assert set(counts) == {first, second}, counts
    assert counts[first] > 0 and counts[second] > 0


def test_postgres_publishes_the_same_marts_as_duckdb(engines):
    duck = duckdb.connect(str(engines["duckdb"]), read_only=True)
    cursor = engines["pg"].cursor()
    try:
        marts = [
            name
            for (name,) in duck.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        assert len(marts) >= 10
        differences = {}
        for mart in marts:
            duck_columns = duck.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'marts' and table_name = ? order by ordinal_position",
                [mart],
            ).fetchall()
            duck_values = duck.execute(f'select * from marts."{mart}"').fetchall()
            cursor.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'marts' and table_name = %s order by ordinal_position",
                [mart],
            )
            pg_columns = cursor.fetchall()
            cursor.execute(f'select * from marts."{mart}"')
            pg_values = cursor.fetchall()
            assert duck_values, f"{mart} is empty on DuckDB: nothing would be compared"
            found = table_differences(duck_columns, duck_values, pg_columns, pg_values)
            if found:
                differences[mart] = found
        assert differences == {}
    finally:
        duck.close()
