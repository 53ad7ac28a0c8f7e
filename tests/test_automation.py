"""The landing-zone sensor starts a run for a complete new batch, and only then."""

import dagster as dg

from dagster_project.automation import landing_zone_sensor


def _tick(cursor):
    ctx = dg.build_sensor_context(cursor=cursor)
    result = landing_zone_sensor(ctx)
    return result, ctx.cursor


def test_sensor_requests_a_run_per_new_complete_batch(tmp_path, monkeypatch):
    monkeypatch.setenv("FUNNEL_LANDING_DIR", str(tmp_path))
    folder = tmp_path / "crm" / "Opportunity"
    folder.mkdir(parents=True)
    (folder / "20261101T235959Z.csv").write_text("Id\n1\n")

    first, cursor = _tick(None)
    assert isinstance(first, dg.RunRequest)
    again, same = _tick(cursor)
    assert isinstance(again, dg.SkipReason) and same == cursor

    # a file still being written (temporary name) or a hidden file is not a batch
    (folder / "20261102T235959Z.csv.part").write_text("Id\n")
    (folder / ".20261102T235959Z.csv").write_text("Id\n")
    still, _ = _tick(cursor)
    assert isinstance(still, dg.SkipReason)

    (folder / "20261102T235959Z.csv.part").rename(folder / "20261102T235959Z.csv")
    landed, new_cursor = _tick(cursor)
    assert isinstance(landed, dg.RunRequest) and new_cursor != cursor
