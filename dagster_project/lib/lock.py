"""One run at a time per warehouse: an advisory file lock (no Dagster imports).

DuckDB already refuses a second writer, so two runs can never corrupt the work file; but a run
that loses that race halfway (its ingest done, its dbt build refused) helps nobody. The lock is
taken for the whole run, before the first step: the second run waits its turn, or stops before
doing anything when it has waited long enough, and says who holds the warehouse.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

LOCK_FILE = ".run.lock"


class WarehouseLocked(Exception):
    """Another run held the warehouse for longer than this one would wait."""


def _holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text() or "{}")
    except (OSError, ValueError):
        info = {}
    if not info:
        return "another run"
    return f"run started {info.get('started')} by PID {info.get('pid')} ({info.get('what')})"


@contextmanager
def run_lock(
    warehouse: Path,
    what: str,
    wait_seconds: float,
    on_wait: Callable[[str], None] | None = None,
    poll_seconds: float = 1.0,
) -> Iterator[None]:
    """Hold ``<warehouse>/.run.lock`` for the duration of the block."""
    path = Path(warehouse) / LOCK_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait_seconds
    waiting_said = False
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = _holder(path)
                if time.monotonic() >= deadline:
                    raise WarehouseLocked(
                        f"The warehouse {warehouse} is in use by {holder}. This run waited "
                        f"{wait_seconds:.0f}s and stopped before changing anything. Start it "
                        "again when the other run has finished (FUNNEL_RUN_LOCK_WAIT sets how "
                        "long a run waits)."
                    ) from None
                if on_wait and not waiting_said:
                    on_wait(f"waiting for {holder} to finish (up to {wait_seconds:.0f}s)")
                    waiting_said = True
                time.sleep(poll_seconds)
        info = {
            "pid": os.getpid(),
            "what": what,
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
