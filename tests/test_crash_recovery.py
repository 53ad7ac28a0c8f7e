"""A run killed outright (SIGKILL, as an out-of-memory kill or a reboot would) never wedges the
next one: real `python -m dagster_project.run` processes on a Dagster home kept on disk, killed
during ingestion and then during dbt, and a third run that starts at once, says what it found
and publishes the same marts as a run that was never interrupted."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from support import failures, run_refresh

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[1]


def _start(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "dagster_project.run"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # the run and its dbt subprocess: one group to kill
    )


def _kill_when(proc: subprocess.Popen, marker: str, delay: float) -> str:
    """SIGKILL the run's process group ``delay`` seconds after ``marker`` shows in its output."""
    seen = []
    deadline = time.monotonic() + 300
    for line in proc.stdout:
        seen.append(line)
        if marker in line:
            time.sleep(delay)
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
            return "".join(seen)
        assert time.monotonic() < deadline, "".join(seen[-20:])
    raise AssertionError(f"the run ended before {marker!r}:\n" + "".join(seen[-40:]))


def _marts(published: Path) -> dict[str, list]:
    """Every published mart's rows in a fixed order, doubles rounded (sums may differ in the
    last bit)."""
    con = duckdb.connect(str(published / "analytics.duckdb"), read_only=True)
    try:
        out = {}
        for (table,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall():
            cols = con.execute(
                "select column_name, data_type from information_schema.columns "
                f"where table_schema = 'marts' and table_name = '{table}' order by ordinal_position"
            ).fetchall()
            select = ", ".join(f'round("{c}", 6)' if t == "DOUBLE" else f'"{c}"' for c, t in cols)
            rows = con.execute(f"select {select} from marts.{table}").fetchall()
            out[table] = sorted(rows, key=repr)
        return out
    finally:
        con.close()


def test_a_killed_run_never_wedges_the_next_and_the_marts_come_out_the_same(
    xs_landing, dbt_manifest, tmp_path
):
    reference = run_refresh(xs_landing, tmp_path / "reference")
    assert reference.success, failures(reference)

    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / "dagster-instance.yaml", home / "dagster.yaml")
    warehouse = tmp_path / "warehouse"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FUNNEL_", "DAGSTER_HOME"))}
    env.update(
        DAGSTER_HOME=str(home),
        FUNNEL_LANDING_DIR=str(xs_landing),
        FUNNEL_WAREHOUSE_DIR=str(warehouse),
        FUNNEL_RUN_LOCK_WAIT="0",
    )
    # killed while the first objects are loaded, then again halfway through dbt
    _kill_when(_start(env), "] ingest ...", delay=1.0)
    out = _kill_when(_start(env), "] dbt build ...", delay=4.0)
    assert "left unfinished by PID" in out, out[-3000:]

    third = _start(env)
    try:
        out, _ = third.communicate(timeout=300)
    finally:
        if third.poll() is None:
            os.killpg(third.pid, signal.SIGKILL)
    assert third.returncode == 0, out[-3000:]
    assert "left unfinished by PID" in out and "marked failed" in out
    assert "succeeded" in out
    assert _marts(warehouse / "published") == _marts(tmp_path / "reference" / "published")
