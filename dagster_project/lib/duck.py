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
