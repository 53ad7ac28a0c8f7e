"""What `make run` shows while it works: one line per stage with rows and elapsed time, and the
whole run log in a file.

``RunProgress`` listens to the run's events as the instance stores them (in the process that
executes the run). Every event and log message goes to the log file; the terminal gets a line
when a stage starts and ends, and every few seconds during dbt, so 250 dbt nodes and 25 ingest
objects read as four stages. The summary that ends the run names the log file.
"""

from __future__ import annotations

import logging
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

import dagster as dg

STAGES = {
    "ingest_extracts": "ingest",
    "dbt_models": "dbt build",
    "great_expectations": "quality gate",
    "publish_guards": "publish guards",
    "published_marts": "publish",
}
# How often a line reports a long stage's progress.
TICK_SECONDS = 5.0


def log_path(logs_dir: Path, run_id: str, keep: int = 30) -> Path:
    """A new log file's path in ``logs_dir`` (the oldest beyond ``keep`` are removed)."""
    logs_dir.mkdir(parents=True, exist_ok=True)
    for old in sorted(logs_dir.glob("run-*.log"))[: -keep + 1 or None]:
        old.unlink(missing_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return logs_dir / f"run-{stamp}-{run_id[:8]}.log"


def _metadata_value(event: dg.DagsterEvent, name: str) -> float:
    value = event.event_specific_data.materialization.metadata.get(name)
    return value.value if value is not None and value.value is not None else 0


class RunProgress:
    """An event listener: ``instance.add_event_listener(run_id, RunProgress(path))``."""

    def __init__(self, path: Path, out: TextIO | None = None) -> None:
        self.path = path
        self.out = out or sys.stdout
        self.file = path.open("a", encoding="utf-8")
        self._started = time.monotonic()
        self._step_started: dict[str, float] = {}
        self._materialized: Counter[str] = Counter()
        self._checks: dict[str, Counter[str]] = {}
        self._ingest: Counter[str] = Counter()
        self._last_tick = 0.0

    def close(self) -> None:
        self.file.close()

    def _say(self, text: str) -> None:
        self.out.write(f"[{time.monotonic() - self._started:6.1f}s] {text}\n")
        self.out.flush()

    def _write(self, entry) -> None:
        event = entry.dagster_event
        stamp = datetime.fromtimestamp(entry.timestamp, UTC).strftime("%H:%M:%S.%f")[:-3]
        kind = event.event_type_value if event else logging.getLevelName(entry.level)
        message = entry.user_message or (event.message if event else "") or ""
        self.file.write(f"{stamp} {entry.step_key or '-':<18} {kind:<24} {message}\n")
        self.file.flush()

    def __call__(self, entry) -> None:
        self._write(entry)
        event = entry.dagster_event
        if event is None:
            return
        step = event.step_key or ""
        stage = STAGES.get(step, step)
        kind = event.event_type_value
        now = time.monotonic()
        if kind == "STEP_START":
            self._step_started[step] = now
            self._say(f"{stage} ...")
        elif kind == "ASSET_MATERIALIZATION":
            self._materialized[step] += 1
            if step == "ingest_extracts":
                for name in ("batches_loaded", "rows_loaded", "rows_rejected"):
                    self._ingest[name] += _metadata_value(event, name)
        elif kind == "ASSET_CHECK_EVALUATION":
            data = event.event_specific_data
            outcome = (
                "passed"
                if data.passed
                else "failed"
                if data.severity == dg.AssetCheckSeverity.ERROR
                else "warned"
            )
            self._checks.setdefault(step, Counter())[outcome] += 1
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE"):
            took = now - self._step_started.get(step, now)
            ended = "done" if kind == "STEP_SUCCESS" else "FAILED"
            self._say(f"{stage} {ended} in {took:.1f}s: {self._detail(step)}")
        if step == "dbt_models" and kind != "STEP_SUCCESS" and now - self._last_tick > TICK_SECONDS:
            if self._last_tick and self._materialized[step]:
                self._say(f"{stage}: {self._detail(step)} so far")
            self._last_tick = now

    def _detail(self, step: str) -> str:
        checks = self._checks.get(step, Counter())
        tested = (
            f"{checks['passed']} checks passed, {checks['warned']} warned, "
            f"{checks['failed']} failed"
        )
        if step == "ingest_extracts":
            return (
                f"{self._materialized[step]} objects, {self._ingest['batches_loaded']:.0f} new "
                f"batch file(s), {self._ingest['rows_loaded']:,.0f} rows loaded, "
                f"{self._ingest['rows_rejected']:,.0f} rejected"
            )
        if step == "dbt_models":
            return f"{self._materialized[step]} models built, {tested}"
        if step == "published_marts":
            return "the marts, the Parquet files and the manifest swapped in"
        return tested
