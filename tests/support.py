"""Helpers the end-to-end tests share: run the main job in process, read a DuckDB file."""

from pathlib import Path

import duckdb
import pytest


def run_refresh(landing: Path, warehouse: Path, as_of: str | None = None):
    """refresh_all_job in process on ``landing`` into ``warehouse``; returns the run result."""
    import dagster as dg

    from dagster_project.definitions import defs

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FUNNEL_LANDING_DIR", str(landing))
        mp.setenv("FUNNEL_WAREHOUSE_DIR", str(warehouse))
        mp.setenv("FUNNEL_FETCH_DBT_METADATA", "0")
        if as_of:
            mp.setenv("FUNNEL_AS_OF_DATE", as_of)
        return defs.resolve_job_def("refresh_all_job").execute_in_process(
            instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
        )


def failures(result) -> list[str]:
    return [e.message for e in result.all_events if e.is_failure]


def query(db: Path, sql: str) -> list[tuple]:
    """All rows of ``sql`` on a DuckDB file opened read-only (closed again at once)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()
