"""``python -m dagster_project.run``: run refresh_all_job in this process and print a summary.

This is what ``make run`` calls. Runs are recorded in ``$DAGSTER_HOME`` when it is set (the
Makefile sets it), so they show up in ``make ui`` afterwards.
"""

import atexit
import contextlib
import gc
import json
import os
import socket
import sys
import time
import traceback
import uuid
from collections import Counter
from pathlib import Path
from typing import NoReturn

import dagster as dg

from dagster_project.automation import launch_partition
from dagster_project.crash_recovery import HOST_TAG, recover_after_crash
from dagster_project.lib import warmup
from dagster_project.lib.env import env_number
from dagster_project.lib.lock import WarehouseLocked, run_lock
from dagster_project.origin import execute_from_location
from dagster_project.partitions import AS_OF_SOURCE_TAG, NoSuchDay
from dagster_project.progress import RunProgress, log_path
from dagster_project.resources import (
    DEFAULT_LOCK_WAIT_SECONDS,
    RUN_LOCK_HELD_ENV,
    FunnelSettings,
)


def step_durations(instance: dg.DagsterInstance, run_id: str) -> dict[str, float]:
    """Seconds from each step's start to its success or failure, in the order they started."""
    started, out = {}, {}
    for entry in instance.all_logs(run_id):
        ev = entry.dagster_event
        if ev is None:
            continue
        if ev.event_type_value == "STEP_START":
            started[ev.step_key] = entry.timestamp
        elif ev.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE") and ev.step_key in started:
            out[ev.step_key] = entry.timestamp - started[ev.step_key]
    return out


def published_manifest(result) -> Path | None:
    """The manifest this run published: the main one, or a replay's (an earlier day)."""
    for event in result.all_events:
        if event.event_type_value != "ASSET_MATERIALIZATION":
            continue
        materialization = event.event_specific_data.materialization
        if materialization.asset_key == dg.AssetKey("published_marts"):
            return Path(materialization.metadata["manifest"].value)
    return None


def _first_line(text: str, limit: int) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 3] + "..."


# The project's own errors: their message is the whole story, without the class's name.
_OWN_ERRORS = {"Failure", "WarehouseLocked", "WarehouseBusy", "PublishError", "IngestError"}


# Dagster's wrappers around an exception raised in a resource or an asset: the wrapped one is
# the cause.
_WRAPPERS = {"DagsterResourceFunctionError", "DagsterExecutionStepExecutionError"}


def _cause(error) -> str:
    """A failure's cause as a person reads it: the project's own errors without their class
    name (a resource's, through Dagster's wrapper); anything unexpected with its exception type,
    never a trace."""
    if error.cls_name in _WRAPPERS and error.cause is not None:
        return _cause(error.cause)
    message = (error.message or "").strip()
    if error.cls_name in _OWN_ERRORS:
        return message.split(": ", 1)[-1]
    # Unexpected: the exception's type and its first line (Dagster's message starts with the
    # type), never the trace.
    return _first_line(message, 300)


def _summary(
    result, settings: FunnelSettings, elapsed: float, durations: dict[str, float]
) -> tuple[str, bool]:
    lines = []
    ok = result.success
    outcomes = Counter()
    failed_checks = []
    warned_checks = []
    for ev in result.get_asset_check_evaluations():
        if ev.passed:
            outcomes["passed"] += 1
        elif ev.severity == dg.AssetCheckSeverity.ERROR:
            outcomes["failed"] += 1
            failed_checks.append(f"{'/'.join(ev.asset_key.path)}:{ev.check_name}")
        else:
            outcomes["warned"] += 1
            warned_checks.append(
                f"{'/'.join(ev.asset_key.path)}:{ev.check_name}: "
                + _first_line(ev.description or "", 300)
            )
    steps = {}
    for ev in result.all_events:
        if ev.event_type_value == "STEP_SUCCESS":
            steps[ev.step_key] = "ok"
        elif ev.event_type_value == "STEP_FAILURE":
            steps[ev.step_key] = "FAILED: " + _cause(ev.event_specific_data.error)
    manifest_path = published_manifest(result) or settings.published_path / "manifest.json"
    lines.append("")
    lines.append(
        f"refresh_all_job {'succeeded' if ok else 'FAILED'} in {elapsed:.1f}s (run {result.run_id})"
    )
    lines.append(
        f"  checks: {outcomes['passed']} passed, {outcomes['warned']} warned, "
        f"{outcomes['failed']} failed"
    )
    for name in failed_checks:
        lines.append(f"    failed: {name}")
    for said in warned_checks:
        lines.append(f"    warned: {said}")
    lines.append("  steps: " + ", ".join(f"{step} {secs:.1f}s" for step, secs in durations.items()))
    for step, status in steps.items():
        if status != "ok":
            lines.append(f"  step {step}: {status[:2000]}")
    if not ok and all(status == "ok" for status in steps.values()):
        # it failed before any step: a resource (the run lock) could not be set up
        for ev in result.all_events:
            if ev.event_type_value == "RESOURCE_INIT_FAILURE" and ev.event_specific_data.error:
                lines.append(f"  cause: {_cause(ev.event_specific_data.error)[:2000]}")
    if ok and manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        run_warnings = manifest.get("warnings", [])
        lines.append(f"  warnings: {len(run_warnings)}")
        lines.extend(f"    {w}" for w in run_warnings)
        lines.append(f"  as_of_date: {manifest['as_of_date']} ({manifest.get('as_of_source')})")
        lines.append(
            f"  published: {manifest_path.parent / 'analytics.duckdb'} "
            f"(schema marts), parquet/ and manifest.json"
        )
        if manifest.get("report"):
            lines.append(f"  report: {manifest_path.parent / manifest['report']}")
        if manifest_path.parent != settings.published_path:
            lines.append(
                f"  (not the marts BI tools read: those in {settings.published_path} "
                "were left as they were)"
            )
        for mart, info in manifest["marts"].items():
            lines.append(f"    {mart:<32} {info['rows']:>10,} rows")
    elif not ok:
        lines.append(f"  the published marts in {settings.published_path} were not changed")
    return "\n".join(lines), ok


def main() -> int:
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    from dagster_project.definitions import defs

    instance = (
        dg.DagsterInstance.get()
        if os.environ.get("DAGSTER_HOME")
        else (dg.DagsterInstance.ephemeral())
    )
    settings = FunnelSettings()
    print(f"[run] landing zone: {settings.landing_path}", flush=True)
    print(f"[run] warehouse:    {settings.warehouse_path}", flush=True)
    try:
        partition, source = launch_partition(instance, settings)
    except NoSuchDay as err:
        print(f"\nrefresh_all_job NOT STARTED: {err}", flush=True)
        return 2
    print(f"[run] as_of_date: {partition} ({source}; the run's partition)", flush=True)
    job = defs.resolve_job_def("refresh_all_job")
    # The objects loaded so far (Dagster, dagster-dbt, the definitions) live as long as the
    # process: out of the garbage collector's way, its full passes during the run have less to
    # walk.
    gc.freeze()
    wait = env_number("FUNNEL_RUN_LOCK_WAIT", DEFAULT_LOCK_WAIT_SECONDS, unit="seconds")
    try:
        with run_lock(
            settings.warehouse_path,
            "python -m dagster_project.run",
            wait,
            on_wait=lambda msg: print(f"[run] {msg}", flush=True),
        ):
            os.environ[RUN_LOCK_HELD_ENV] = str(os.getpid())  # the run's lock resource: held
            for said in recover_after_crash(instance, settings):
                print(f"[run] {said}", flush=True)
            # Great Expectations takes about 3 s of Python to import; the dbt step imports it
            # on a side thread while dbt's subprocess works (dagster_project/lib/warmup.py).
            warmup.import_later("great_expectations")
            run_id = str(uuid.uuid4())
            progress = RunProgress(log_path(settings.warehouse_path / "logs", run_id))
            print(f"[run] full log: {progress.path}", flush=True)
            instance.add_event_listener(run_id, progress)
            started = time.monotonic()
            # dagster-dbt echoes dbt's own log lines to stdout: they go to the log file too.
            try:
                with contextlib.redirect_stdout(progress.file):
                    # Created with workspace.yaml's code location as its origin, as a UI
                    # launch is: the UI lists, times and re-executes it like its own runs.
                    result = execute_from_location(
                        instance,
                        job,
                        run_id=run_id,
                        partition=partition,
                        tags={AS_OF_SOURCE_TAG: source, HOST_TAG: socket.gethostname()},
                        # The terminal gets the stages (RunProgress); the log file gets all.
                        run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
                    )
            finally:
                progress.close()
    except WarehouseLocked as err:
        print(f"\nrefresh_all_job NOT STARTED: {err}", flush=True)
        return 2
    elapsed = time.monotonic() - started
    durations = step_durations(instance, result.run_id)
    text, ok = _summary(result, settings, elapsed, durations)
    text += f"\n  full log: {progress.path}"
    print(text, flush=True)
    if os.environ.get("FUNNEL_RUN_SUMMARY_JSON"):
        # For tools that compare runs (make bench): the same facts, machine-readable.
        Path(os.environ["FUNNEL_RUN_SUMMARY_JSON"]).write_text(
            json.dumps(
                {
                    "run_id": result.run_id,
                    "success": ok,
                    "seconds": elapsed,
                    "steps": durations,
                },
                indent=2,
            )
        )
    return 0 if ok else 1


def exit_now(code: int) -> NoReturn:
    """End the process without the interpreter's teardown, once what has to happen at exit has.

    The teardown walked every object of Dagster, GX and pandas for reference cycles (1.5 to
    1.9 s after every run), and DuckDB's bindings (nanobind) then reported the objects that
    ``gc.freeze()`` had kept out of the collector's way as leaks: some 40 lines of noise under
    the summary. The atexit handlers still run first (Dagster's temporary directories, logging,
    ``weakref.finalize`` callbacks), then the output is flushed.
    """
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _status() -> int:
    """main()'s exit status; an error is printed the way Python would and gives 1."""
    try:
        return main()
    except KeyboardInterrupt:
        print("\n[run] interrupted", file=sys.stderr)
        return 130
    except Exception:
        traceback.print_exc()
        return 1


if __name__ == "__main__":
    exit_now(_status())
