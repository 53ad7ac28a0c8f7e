"""The landing-zone sensor starts a run for a complete new batch, and only then."""

import os
import time

import dagster as dg

from dagster_project.automation import landing_zone_sensor


def _tick(cursor):
    ctx = dg.build_sensor_context(cursor=cursor)
    result = landing_zone_sensor(ctx)
    return result, ctx.cursor


def _age(path, seconds=120):
    """Make ``path`` look written ``seconds`` ago (settled), without sleeping in the test."""
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_sensor_requests_a_run_per_new_complete_batch(tmp_path, monkeypatch):
    monkeypatch.setenv("FUNNEL_LANDING_DIR", str(tmp_path))
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
