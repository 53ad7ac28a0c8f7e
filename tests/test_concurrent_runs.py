"""Two runs at once on one warehouse (docs/bad-input.md): real `python -m dagster_project.run`
processes. The second waits for the first, or, told not to wait, stops before doing anything and
names the run that holds the warehouse; the work file is never corrupted."""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import query

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[1]


def _start(env: dict, **extra) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "dagster_project.run"],
        cwd=REPO,
        env={**env, **extra},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_second_run_waits_or_stops_cleanly(xs_landing, dbt_manifest, tmp_path, monkeypatch):
    shutil.copytree(xs_landing, tmp_path / "landing")
    warehouse = tmp_path / "warehouse"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FUNNEL_", "DAGSTER_HOME"))}
    env.update(
        FUNNEL_LANDING_DIR=str(tmp_path / "landing"),
        FUNNEL_WAREHOUSE_DIR=str(warehouse),
        DAGSTER_HOME=str(tmp_path / "dagster_home"),
    )
    (tmp_path / "dagster_home").mkdir()  # set up as the Makefile sets up $DAGSTER_HOME
    shutil.copy(REPO / "dagster-instance.yaml", tmp_path / "dagster_home" / "dagster.yaml")
    first = _start(env)
    lock = warehouse / ".run.lock"
    deadline = time.monotonic() + 120
    while not (lock.exists() and lock.read_text()):
        assert first.poll() is None, first.stdout.read()
        assert time.monotonic() < deadline, "the first run never took the warehouse"
        time.sleep(0.2)
    impatient = _start(env, FUNNEL_RUN_LOCK_WAIT="0")
    patient = _start(env)
    out_impatient, _ = impatient.communicate(timeout=120)
    assert first.poll() is None, "the impatient run gave up while the first was still going"
    out_first, _ = first.communicate(timeout=600)
    out_patient, _ = patient.communicate(timeout=600)

    assert first.returncode == 0, out_first[-3000:]
    assert impatient.returncode == 2, out_impatient[-3000:]
    assert "refresh_all_job NOT STARTED: The warehouse" in out_impatient
    assert f"by PID {first.pid} (python -m dagster_project.run)" in out_impatient
    assert "stopped before changing anything" in out_impatient
    assert patient.returncode == 0, out_patient[-3000:]
    assert "[run] waiting for run started" in out_patient and f"PID {first.pid}" in out_patient
    # The summary is the last thing printed: no teardown noise (nanobind's leak report) under it.
    for out in (out_first, out_patient):
        assert "leaked" not in out, out[-3000:]
        last = out.rstrip().splitlines()
        assert last[-1].startswith("  full log: ") and last[-2].endswith(" rows"), out[-3000:]
        # nothing but the stage lines comes before the summary: no log records, no dbt lines
        body = out[: out.index("refresh_all_job succeeded")].strip().splitlines()
        assert all(line.startswith("[") for line in body), out[-3000:]

    # One load per batch: the patient run found everything loaded already.
    work = warehouse / "work.duckdb"
    loads = query(
        work,
        "select checksum, count(*) from ingest.load_log where status = 'loaded' group by 1 "
        "having count(*) > 1",
    )
    assert loads == []
    manifest = json.loads((warehouse / "published" / "manifest.json").read_text())
    assert manifest["marts"]["mart_apm"]["rows"] > 0
    assert not lock.read_text(), "the lock file is cleared when a run ends"

    # Both runs are the UI's kind of run: created from workspace.yaml's code location.
    import dagster as dg

    from dagster_project.origin import workspace_location

    location = workspace_location()
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    with dg.DagsterInstance.get() as instance:
        runs = instance.get_runs(dg.RunsFilter(job_name="refresh_all_job", tags=location.tags))
        assert len(runs) == 2
        for run in runs:
            assert run.remote_job_origin == location.remote_job_origin("refresh_all_job")
            assert run.job_code_origin.repository_origin.code_pointer.module == location.module


def test_a_run_that_breaks_ends_with_its_error_and_status_1(dbt_manifest, tmp_path):
    """An error after start-up is the last thing printed, naming what to fix; exit status 1."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FUNNEL_", "DAGSTER_HOME"))}
    env.update(
        FUNNEL_LANDING_DIR=str(tmp_path / "landing"),
        FUNNEL_WAREHOUSE_DIR=str(tmp_path / "warehouse"),
        FUNNEL_RUN_LOCK_WAIT="soon",  # not a number of seconds: fails once the definitions load
    )
    broken = _start(env)
    out, _ = broken.communicate(timeout=120)
    assert broken.returncode == 1, out[-3000:]
    assert out.rstrip().splitlines()[-1] == (
        "ValueError: FUNNEL_RUN_LOCK_WAIT='soon' is not a number of seconds: set it to one "
        "(the default is 1800) or unset it."
    ), out[-3000:]


def test_a_run_launched_from_the_ui_holds_the_warehouse_too(xs_landing, dbt_manifest, tmp_path):
    """A run that `make run` did not start (the UI, the schedule, the sensor) takes the same run
    lock for its whole length: told not to wait, it stops before its first step and names the
    run that holds the warehouse, instead of failing on DuckDB's lock halfway through."""
    from support import run_refresh

    from dagster_project.lib.lock import run_lock

    warehouse = tmp_path / "warehouse"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FUNNEL_RUN_LOCK_WAIT", "0")
        mp.delenv("FUNNEL_RUN_LOCK_PID", raising=False)
        with run_lock(warehouse, "python -m dagster_project.run", 0):
            result = run_refresh(xs_landing, warehouse)
    assert not result.success
    said = " ".join(
        e.event_specific_data.error.message
        for e in result.all_events
        if e.event_type_value == "RESOURCE_INIT_FAILURE"
    )
    assert f"The warehouse {warehouse} is in use by run started" in said, said
    assert f"by PID {os.getpid()} (python -m dagster_project.run)" in said, said
    steps = {e.step_key for e in result.all_events if e.event_type_value == "STEP_START"}
    assert not steps, "no step started"
    assert not (warehouse / "work.duckdb").exists()
