"""Write-audit-publish on real DuckDB files."""

import json

import duckdb
import pytest

from dagster_project.publish.publish import publish_destination, publish_marts


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


def test_a_past_day_is_published_beside_the_marts_bi_tools_read(work_db, tmp_path):
    published = tmp_path / "published"
    assert publish_destination(published, "2026-11-08") == published  # nothing published yet
    publish_marts(work_db, published, ["dim_x"], {"run_id": "r1", "as_of_date": "2026-11-13"})
    for same_or_later in ("2026-11-13", "2026-11-14"):
        assert publish_destination(published, same_or_later) == published
    replay = publish_destination(published, "2026-11-08")
    assert replay == published / "replays" / "2026-11-08"
    publish_marts(work_db, replay, ["dim_x"], {"run_id": "r2", "as_of_date": "2026-11-08"})
    assert json.loads((published / "manifest.json").read_text())["run_id"] == "r1"
    assert json.loads((replay / "manifest.json").read_text())["as_of_date"] == "2026-11-08"
    assert (replay / "parquet" / "dim_x.parquet").exists()


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


def _published_set_is_consistent(published) -> dict[str, int]:
    """Every file where BI looks is whole, and the manifest, the database and the Parquet files
    describe the same marts with the same row counts. Returns those counts."""
    manifest = json.loads((published / "manifest.json").read_text())
    con = duckdb.connect(str(published / "analytics.duckdb"), read_only=True)
    try:
        counts = {
            m: con.execute(f"select count(*) from marts.{m}").fetchall()[0][0]
            for m in manifest["marts"]
        }
    finally:
        con.close()
    assert counts == {m: info["rows"] for m, info in manifest["marts"].items()}
    for m, n in counts.items():
        got = duckdb.sql(f"select count(*) from '{published}/parquet/{m}.parquet'").fetchall()
        assert got == [(n,)], m
    return counts


@pytest.fixture
def two_versions(tmp_path):
    """A work file with two versions of three marts (schemas v1 and v2, different row counts)
    big enough that publishing takes a moment to kill."""
    path = tmp_path / "work2.duckdb"
    con = duckdb.connect(str(path))
    for version, n in (("v1", 400_000), ("v2", 600_000)):
        con.execute(f"create schema {version}")
        for mart in ("mart_a", "mart_b", "mart_c"):
            con.execute(
                f"create table {version}.{mart} as select range as id, range * 1.5 as amount, "
                f"'row ' || range as label from range({n})"
            )
    con.close()
    return path


def test_killed_publisher_never_leaves_a_partial_file_where_bi_looks(two_versions, tmp_path):
    import signal
    import subprocess
    import sys
    import time

    from dagster_project.publish.publish import recover_interrupted_publish

    published = tmp_path / "published"
    marts = ["mart_a", "mart_b", "mart_c"]
    publish_marts(two_versions, published, marts, {"run_id": "v1"}, source_schema="v1")
    code = (
        "import sys; from pathlib import Path; "
        "from dagster_project.publish.publish import publish_marts; "
        "publish_marts(Path(sys.argv[1]), Path(sys.argv[2]), ['mart_a', 'mart_b', 'mart_c'], "
        "{'run_id': sys.argv[3]}, source_schema=sys.argv[3])"
    )
    outcomes = set()
    sizes = {"v1": 400_000, "v2": 600_000}
    for i, delay in enumerate([0.05, 0.4, 0.8, 1.2, 1.6, 2.4, 10.0]):
        version = "v2" if i % 2 == 0 else "v1"
        proc = subprocess.Popen(
            [sys.executable, "-c", code, str(two_versions), str(published), version]
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        # what a BI tool sees right now: whole files only
        con = duckdb.connect(str(published / "analytics.duckdb"), read_only=True)
        counts = {m: con.execute(f"select count(*) from marts.{m}").fetchall()[0][0] for m in marts}
        con.close()
        assert set(counts.values()) <= {400_000, 600_000}
        json.loads((published / "manifest.json").read_text())
        # the next run first finishes or discards the interrupted publish
        recover_interrupted_publish(published)
        assert not list(published.glob(".tmp-*"))
        now = set(_published_set_is_consistent(published).values())
        assert now in ({400_000}, {600_000})
        outcomes.add("finished" if now == {sizes[version]} else "killed before the commit")
    # the delays span "still starting Python" to "long done": both ends happened
    assert outcomes == {"finished", "killed before the commit"}


def test_a_crash_in_the_middle_of_the_swap_is_finished_by_the_next_run(
    two_versions, tmp_path, monkeypatch
):
    import os

    from dagster_project.publish import publish as publish_module

    published = tmp_path / "published"
    marts = ["mart_a", "mart_b", "mart_c"]
    publish_marts(two_versions, published, marts, {"run_id": "v1"}, source_schema="v1")
    real_replace = os.replace
    calls = []

    def dies_after_two_renames(src, dst):
        # the commit record's own rename, then the database: then the process "dies"
        if len(calls) == 2:
            raise SystemExit("killed")
        calls.append(dst)
        real_replace(src, dst)

    monkeypatch.setattr(publish_module.os, "replace", dies_after_two_renames)
    with pytest.raises(SystemExit):
        publish_marts(two_versions, published, marts, {"run_id": "v2"}, source_schema="v2")
    monkeypatch.setattr(publish_module.os, "replace", real_replace)
    # mid-swap: the new database beside the old manifest and old Parquet files, each whole
    assert json.loads((published / "manifest.json").read_text())["run_id"] == "v1"
    with pytest.raises(AssertionError):
        _published_set_is_consistent(published)
    message = publish_module.recover_interrupted_publish(published)
    assert message == "finished the publish of run v2 that was interrupted mid-swap"
    assert set(_published_set_is_consistent(published).values()) == {600_000}
    assert json.loads((published / "manifest.json").read_text())["run_id"] == "v2"


def test_reader_in_another_process_keeps_reading_while_a_new_version_lands(two_versions, tmp_path):
    import subprocess
    import sys

    published = tmp_path / "published"
    marts = ["mart_a"]
    publish_marts(two_versions, published, marts, {"run_id": "v1"}, source_schema="v1")
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True); "
            "q = 'select count(*) from marts.mart_a'; print(con.execute(q).fetchall()[0][0], "
            "flush=True); sys.stdin.readline(); print(con.execute(q).fetchall()[0][0], flush=True)",
            str(published / "analytics.duckdb"),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert reader.stdout.readline().strip() == "400000"  # the reader holds the file open
    publish_marts(two_versions, published, marts, {"run_id": "v2"}, source_schema="v2")
    out, _ = reader.communicate("go\n", timeout=60)
    assert out.strip() == "400000", "an open reader keeps its snapshot"
    assert _published_set_is_consistent(published) == {"mart_a": 600_000}


@pytest.fixture
def small_disk(tmp_path):
    """A real 2 MB file system (tmpfs) mounted for the test; skipped where mounting is not
    allowed (it needs root, as CI has)."""
    import subprocess

    mount = tmp_path / "small_disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_or_a_read_only_folder_is_named_and_leaves_nothing_behind(tmp_path, small_disk):
    import subprocess

    from dagster_project.publish.publish import PublishError

    work = tmp_path / "work.duckdb"
    con = duckdb.connect(str(work))
    con.execute("create schema marts")
    con.execute("create table marts.small as select 1 as id")
    # random text does not compress: far more than the 2 MB the disk holds
    con.execute("create table marts.big as select md5(range::varchar) as h from range(400000)")
    con.close()
    published = small_disk / "published"
    publish_marts(work, published, ["small"], {"run_id": "r1"})
    before = {p.name: p.read_bytes() for p in published.rglob("*") if p.is_file()}

    with pytest.raises(PublishError) as err:
        publish_marts(work, published, ["small", "big"], {"run_id": "r2"})
    assert str(err.value).startswith(f"Publishing failed: the disk holding {published} is full")
    assert "temporary files were removed" in str(err.value)
    assert not list(published.glob(".tmp-*")), "no temporary file left in published/"
    assert {p.name: p.read_bytes() for p in published.rglob("*") if p.is_file()} == before

    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    with pytest.raises(PublishError) as err:
        publish_marts(work, published, ["small"], {"run_id": "r3"})
    assert str(err.value).startswith(f"Publishing failed: {published} cannot be written")
    assert "Make the folder writable" in str(err.value)
    assert {p.name: p.read_bytes() for p in published.rglob("*") if p.is_file()} == before
