"""When runs start and as of which day: the landing-zone sensor starts a run for a complete new
batch, and only then; every launcher names the run's partition, its as_of_date."""

import os
import time
from datetime import date

import dagster as dg
import pytest

from dagster_project.automation import (
    daily_refresh_schedule,
    landing_zone_sensor,
    launch_as_of,
)
from dagster_project.partitions import AS_OF_PARTITIONS, AS_OF_SOURCE_TAG, NoSuchDay
from dagster_project.resources import FunnelSettings


def _tick(cursor):
    with dg.instance_for_test() as instance:
        ctx = dg.build_sensor_context(cursor=cursor, instance=instance)
        result = landing_zone_sensor(ctx)
    return result, ctx.cursor


def _partitions(instance) -> list[str]:
    return list(instance.get_dynamic_partitions(AS_OF_PARTITIONS.name))


def _age(path, seconds=120):
    """Make ``path`` look written ``seconds`` ago (settled), without sleeping in the test."""
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_sensor_requests_a_run_per_new_complete_batch(tmp_path, monkeypatch):
    monkeypatch.setenv("FUNNEL_LANDING_DIR", str(tmp_path))
    monkeypatch.delenv("FUNNEL_AS_OF_DATE", raising=False)
    monkeypatch.setenv("FUNNEL_SETTLE_SECONDS", "30")
    folder = tmp_path / "crm" / "Opportunity"
    folder.mkdir(parents=True)
    first_batch = folder / "20261101T235959Z.csv"
    first_batch.write_text("Id\n1\n")
    _age(first_batch)

    first, cursor = _tick(None)
    assert isinstance(first, dg.RunRequest)
    again, same = _tick(cursor)
    assert isinstance(again, dg.SkipReason) and same == cursor

    # a file still being written (temporary name) or a hidden file is not a batch
    (folder / "20261102T235959Z.csv.part").write_text("Id\n")
    (folder / ".20261102T235959Z.csv").write_text("Id\n")
    still, _ = _tick(cursor)
    assert isinstance(still, dg.SkipReason)

    # renamed into place, but written a moment ago: it may still be growing, so wait
    (folder / "20261102T235959Z.csv.part").rename(folder / "20261102T235959Z.csv")
    waiting, unchanged = _tick(cursor)
    assert isinstance(waiting, dg.SkipReason) and unchanged == cursor
    assert "crm/Opportunity/20261102T235959Z.csv" in waiting.skip_message

    _age(folder / "20261102T235959Z.csv")
    landed, new_cursor = _tick(cursor)
    assert isinstance(landed, dg.RunRequest) and new_cursor != cursor
    # the run is as of the newest batch's day: its partition
    assert first.partition_key == "2026-11-01"
    assert landed.partition_key == "2026-11-02"
    assert landed.tags[AS_OF_SOURCE_TAG] == "newest batch"


def _batch(landing, rel: str) -> None:
    path = landing / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("Id\n1\n")


def test_the_schedule_runs_as_of_the_newest_batch(tmp_path, monkeypatch):
    monkeypatch.setenv("FUNNEL_LANDING_DIR", str(tmp_path))
    monkeypatch.delenv("FUNNEL_AS_OF_DATE", raising=False)
    _batch(tmp_path, "crm/Opportunity/20261101T235959Z.csv")
    _batch(tmp_path, "marketing/Activity/20261103T235959Z.csv.gz")
    _batch(tmp_path, "crm/NotAnObject/20261130T235959Z.csv")  # no contract: not a batch
    with dg.instance_for_test() as instance:
        request = daily_refresh_schedule(dg.build_schedule_context(instance=instance))
        # the partitions are the days the landing zone covers: the newest batch's day is last
        assert _partitions(instance) == ["2026-11-01", "2026-11-02", "2026-11-03"]
    assert isinstance(request, dg.RunRequest)
    assert request.partition_key == "2026-11-03"
    assert request.tags[AS_OF_SOURCE_TAG] == "newest batch"


def test_launch_as_of_takes_the_setting_then_the_batches_then_today(tmp_path, monkeypatch):
    monkeypatch.setenv("FUNNEL_LANDING_DIR", str(tmp_path))
    monkeypatch.delenv("FUNNEL_AS_OF_DATE", raising=False)
    today = date(2026, 11, 20)
    assert launch_as_of(FunnelSettings(), today) == ("2026-11-20", "today")
    _batch(tmp_path, "crm/Lead/20261104T235959Z.csv")
    assert launch_as_of(FunnelSettings(), today) == ("2026-11-04", "newest batch")
    monkeypatch.setenv("FUNNEL_AS_OF_DATE", "2026-06-30")
    assert launch_as_of(FunnelSettings(), today) == ("2026-06-30", "FUNNEL_AS_OF_DATE")


@pytest.mark.parametrize(
    ("setting", "said"),
    [
        ("30/06/2026", "is not a date: use YYYY-MM-DD"),
        ("2017-12-31", "outside the days a run can be as of: 2018-02-01 to"),
        ("2099-01-01", "outside the days a run can be as of: 2018-02-01 to"),
    ],
)
def test_a_day_no_run_can_be_as_of_is_refused_with_the_range(tmp_path, monkeypatch, setting, said):
    monkeypatch.setenv("FUNNEL_LANDING_DIR", str(tmp_path))
    monkeypatch.setenv("FUNNEL_AS_OF_DATE", setting)
    with pytest.raises(NoSuchDay) as raised:
        launch_as_of(FunnelSettings())
    assert said in str(raised.value)
    # the schedule does not launch a run that cannot be built; it says why
    with dg.instance_for_test() as instance:
        skipped = daily_refresh_schedule(dg.build_schedule_context(instance=instance))
    assert isinstance(skipped, dg.SkipReason) and said in skipped.skip_message


def test_a_day_after_the_newest_loaded_batch_is_reported(tmp_path, monkeypatch, caplog):
    """A UI launch can pick a day no extract covers yet: the run goes on, and says so."""
    import logging

    import duckdb

    from dagster_project.transform.assets import resolve_as_of_date

    monkeypatch.setenv("FUNNEL_WAREHOUSE_DIR", str(tmp_path))
    con = duckdb.connect(str(tmp_path / "work.duckdb"))
    con.execute("create schema ingest")
    con.execute("create table ingest.load_log (batch varchar, status varchar)")
    con.close()
    log = logging.getLogger("funnel-test")
    with pytest.raises(dg.Failure, match="No extract batch has been loaded"):
        resolve_as_of_date(FunnelSettings(), "2026-11-13", log)

    con = duckdb.connect(str(tmp_path / "work.duckdb"))
    con.execute(
        "insert into ingest.load_log values ('20261113T235959Z', 'loaded'), "
        "('20261120T235959Z', 'rejected')"
    )
    con.close()
    with caplog.at_level(logging.WARNING, logger="funnel-test"):
        assert resolve_as_of_date(FunnelSettings(), "2026-11-13", log) == date(2026, 11, 13)
        assert not caplog.records
        assert resolve_as_of_date(FunnelSettings(), "2026-11-14", log) == date(2026, 11, 14)
    (record,) = caplog.records
    assert "after the newest loaded batch (2026-11-13)" in record.getMessage()


def test_partitions_follow_the_landing_zone_in_date_order(tmp_path, monkeypatch):
    """The UI offers the last registered day as the latest: a day that lands out of order (an
    earlier batch, or FUNNEL_FIRST_AS_OF_DATE) still ends up in its place, and the newest batch's
    day stays the last."""
    from dagster_project.partitions import landed_days, register_as_of_days

    monkeypatch.setenv("FUNNEL_LANDING_DIR", str(tmp_path))
    monkeypatch.delenv("FUNNEL_FIRST_AS_OF_DATE", raising=False)
    instance = dg.DagsterInstance.ephemeral()
    assert landed_days(FunnelSettings()) == []
    _batch(tmp_path, "crm/Lead/20261104T235959Z.csv")
    _batch(tmp_path, "crm/Account/20261106T235959Z.csv")
    assert register_as_of_days(instance, landed_days(FunnelSettings())) == [
        "2026-11-04",
        "2026-11-05",
        "2026-11-06",
    ]
    assert register_as_of_days(instance, landed_days(FunnelSettings())) == []
    _batch(tmp_path, "crm/Account/20261102T235959Z.csv")
    monkeypatch.setenv("FUNNEL_FIRST_AS_OF_DATE", "2026-10-31")
    added = register_as_of_days(instance, landed_days(FunnelSettings()))
    assert added == ["2026-10-31", "2026-11-01", "2026-11-02", "2026-11-03"]
    assert _partitions(instance) == [
        f"2026-{d}" for d in ("10-31", *(f"11-0{i}" for i in range(1, 7)))
    ]
    monkeypatch.setenv("FUNNEL_FIRST_AS_OF_DATE", "31/10/2026")
    with pytest.raises(NoSuchDay, match="FUNNEL_FIRST_AS_OF_DATE='31/10/2026' is not a date"):
        landed_days(FunnelSettings())
