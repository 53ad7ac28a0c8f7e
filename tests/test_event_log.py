"""The run history's event log (dagster_project/lib/event_log.py): a real Dagster instance from
the repository's dagster.yaml, real SQLite files, and Dagster's stock storage reading them back."""

import logging
import shutil
import time
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log import SqliteEventLogStorage
from sqlalchemy import event
from sqlalchemy.pool import Pool

from dagster_project.lib.event_log import PooledSqliteEventLogStorage

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def dagster_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / "dagster-instance.yaml", home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    return home


@pytest.fixture
def sqlite_connects():
    """The SQLite connections opened while the test runs, as the database files they opened."""
    opened: list[str] = []

    def on_connect(dbapi_connection, _record):
        rows = dbapi_connection.execute("pragma database_list").fetchall()
        opened.append(next(row[2] for row in rows if row[1] == "main"))

    event.listen(Pool, "connect", on_connect)
    yield opened
    event.remove(Pool, "connect", on_connect)


def _log_entry(run_id: str, n: int) -> EventLogEntry:
    return EventLogEntry(
        error_info=None,
        level=logging.INFO,
        user_message=f"message {n}",
        run_id=run_id,
        timestamp=time.time(),
    )


@dg.asset
def answer() -> int:
    return 42


@dg.asset_check(asset=answer)
def answer_is_positive() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


def test_the_repository_instance_records_runs_that_stock_dagster_reads(dagster_home):
    instance = dg.DagsterInstance.get()
    assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
    defs = dg.Definitions(assets=[answer], asset_checks=[answer_is_positive])
    job = defs.resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(instance=instance)
    assert result.success
    ours = instance.all_logs(result.run_id)
    types = {e.dagster_event_type for e in ours if e.is_dagster_event}
    assert {
        dg.DagsterEventType.ASSET_MATERIALIZATION,
        dg.DagsterEventType.ASSET_CHECK_EVALUATION,
        dg.DagsterEventType.RUN_SUCCESS,
    } <= types

    # Dagster's own class on the same files (what a stock instance or an older checkout of
    # this project would use) sees the same run and the asset's materialisation in the index.
    stock = SqliteEventLogStorage(str(dagster_home / "history" / "runs"))
    assert len(stock.get_logs_for_run(result.run_id)) == len(ours)
    latest = stock.get_latest_materialization_events([dg.AssetKey("answer")])
    assert latest[dg.AssetKey("answer")].run_id == result.run_id
    instance.dispose()


def test_events_go_through_connections_that_stay_open(tmp_path, sqlite_connects):
    storage = PooledSqliteEventLogStorage(str(tmp_path))
    storage.store_event(_log_entry("run-a", 0))  # creates the run's file and its tables
    sqlite_connects.clear()
    for n in range(1, 50):
        storage.store_event(_log_entry("run-a", n))
    assert len(storage.get_logs_for_run("run-a")) == 50
    assert sqlite_connects == []
    storage.dispose()

    # What the stock class does with the same events: a new connection per event.
    stock = SqliteEventLogStorage(str(tmp_path / "stock"))
    stock.store_event(_log_entry("run-a", 0))
    sqlite_connects.clear()
    for n in range(1, 50):
        stock.store_event(_log_entry("run-a", n))
    assert len(sqlite_connects) >= 49


def test_wipe_closes_the_connections_before_deleting_the_files(tmp_path):
    storage = PooledSqliteEventLogStorage(str(tmp_path))
    storage.store_event(_log_entry("run-a", 1))
    storage.wipe()
    storage.store_event(_log_entry("run-a", 2))
    # A connection kept across the wipe would have written to the deleted file.
    stock = SqliteEventLogStorage(str(tmp_path / "history" / "runs"))
    assert [e.user_message for e in stock.get_logs_for_run("run-a")] == ["message 2"]
    storage.dispose()


def test_only_the_most_recent_files_keep_a_connection(tmp_path, monkeypatch):
    monkeypatch.setattr("dagster_project.lib.event_log.MAX_OPEN_FILES", 3)
    storage = PooledSqliteEventLogStorage(str(tmp_path))
    for run in ("a", "b", "c", "d", "b"):
        storage.store_event(_log_entry(f"run-{run}", 1))
    assert list(storage._engines) == ["run-c", "run-d", "run-b"]
    counts = {run: len(storage.get_logs_for_run(f"run-{run}")) for run in "abcd"}
    assert counts == {"a": 1, "b": 2, "c": 1, "d": 1}
    storage.dispose()
