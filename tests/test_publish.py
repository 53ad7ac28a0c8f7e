"""Write-audit-publish on real DuckDB files."""

import json

import duckdb
import pytest

from dagster_project.publish.publish import publish_marts


@pytest.fixture
def work_db(tmp_path):
    path = tmp_path / "work.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute("create table marts.dim_x as select range as id from range(5)")
    con.execute("create table marts.dim_y as select 'a' as v")
    con.close()
    return path


def test_publish_writes_db_parquet_and_manifest(work_db, tmp_path):
    published = tmp_path / "published"
    result = publish_marts(work_db, published, ["dim_x", "dim_y"], {"run_id": "r1"})
    assert result.row_counts == {"dim_x": 5, "dim_y": 1}
    con = duckdb.connect(str(published / "analytics.duckdb"), read_only=True)
    assert con.execute("select count(*) from marts.dim_x").fetchall() == [(5,)]
    con.close()
    assert duckdb.sql(f"select count(*) from '{published}/parquet/dim_x.parquet'").fetchall() == [
        (5,)
    ]
    manifest = json.loads((published / "manifest.json").read_text())
    assert manifest["run_id"] == "r1" and manifest["marts"]["dim_y"]["rows"] == 1
    assert not list(published.glob(".tmp-*")), "no temporary files left behind"


def test_republish_replaces_and_drops_stale_marts(work_db, tmp_path):
    published = tmp_path / "published"
    publish_marts(work_db, published, ["dim_x", "dim_y"], {"run_id": "r1"})
    publish_marts(work_db, published, ["dim_x"], {"run_id": "r2"})
    assert sorted(p.name for p in (published / "parquet").iterdir()) == ["dim_x.parquet"]
    assert json.loads((published / "manifest.json").read_text())["run_id"] == "r2"


def test_reader_holding_the_old_file_keeps_its_snapshot(work_db, tmp_path):
    published = tmp_path / "published"
    publish_marts(work_db, published, ["dim_x"], {"run_id": "r1"})
    reader = duckdb.connect(str(published / "analytics.duckdb"), read_only=True)
    con = duckdb.connect(str(work_db))
    con.execute("insert into marts.dim_x values (99)")
    con.close()
    publish_marts(work_db, published, ["dim_x"], {"run_id": "r2"})
    assert reader.execute("select count(*) from marts.dim_x").fetchall() == [(5,)]
    reader.close()
    fresh = duckdb.connect(str(published / "analytics.duckdb"), read_only=True)
    assert fresh.execute("select count(*) from marts.dim_x").fetchall() == [(6,)]


def test_failed_publish_leaves_previous_files_untouched(work_db, tmp_path):
    published = tmp_path / "published"
    publish_marts(work_db, published, ["dim_x"], {"run_id": "r1"})
    before = {p.name: p.read_bytes() for p in published.rglob("*") if p.is_file()}
    with pytest.raises(duckdb.Error):
        publish_marts(work_db, published, ["dim_x", "no_such_mart"], {"run_id": "r2"})
    after = {p.name: p.read_bytes() for p in published.rglob("*") if p.is_file()
             and not p.name.startswith(".tmp-")}  # fmt: skip
    assert after == before
    # the next publish cleans the leftovers of the failed one
    publish_marts(work_db, published, ["dim_x"], {"run_id": "r3"})
    assert not list(published.glob(".tmp-*"))
