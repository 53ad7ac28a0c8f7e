"""Small DuckDB helpers (no Dagster imports)."""

from __future__ import annotations

from typing import Any

import duckdb


def fetch_one(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> Any:
    """First row of a query, or None.

    DuckDB 2.0 keeps a result open until it is read to the end, and refuses other work on the
    connection meanwhile, so results are always drained with ``fetchall``.
    """
    rows = con.execute(sql, params or []).fetchall()
    return rows[0] if rows else None


class WarehouseBusy(Exception):
    """The work warehouse is open for writing in another process (another run)."""


def connect_work(path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the work warehouse; when another process holds it, say so in words.

    DuckDB allows one writing process per file. Its error names the holder's PID; the message
    adds what it means here and what to do, and that nothing was changed by this attempt.
    """
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as err:
        if "lock" not in str(err).lower():
            raise
        holder = str(err).split("Conflicting lock is held in", 1)[-1].split(".", 1)[0].strip()
        raise WarehouseBusy(
            f"The work warehouse {path} is in use by another process ({holder}), most likely "
            "another run of this pipeline. This step stopped before changing anything. Wait for "
            "the other run to finish and start this one again (runs launched from the Dagster "
            "UI or the daemon queue behind each other instead)."
        ) from err
