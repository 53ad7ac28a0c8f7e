"""Writing simulated tables as extract batches in the landing-zone layout (via DuckDB COPY)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np

from dagster_project.sample.common import FULL_CUTOFF_DAY, START, Table

# Salesforce's REST API writes timestamps like this; marketing tools write ISO 8601 with Z.
TS_FORMAT = {
    "crm": "%Y-%m-%dT%H:%M:%S.000+0000",
    "marketing": "%Y-%m-%dT%H:%M:%SZ",
    "plan": "%Y-%m-%dT%H:%M:%SZ",
}


def batch_name(batch: int) -> str:
    """Batch 0 is the full extract; batch k the daily extract k days later. Names are the
    extraction cutoff in ISO 8601 basic format, so they sort in extraction order."""
    day = START + np.timedelta64(FULL_CUTOFF_DAY - 1 + batch, "D")
    return f"{str(day).replace('-', '')}T235959Z"


def _select_list(table: Table, columns: list[str]) -> str:
    fmt = TS_FORMAT[table.source]
    out = []
    for c in columns:
        q = '"' + c + '"'
        if c in table.date_cols:
            out.append(f"strftime(cast({q} as date), '%Y-%m-%d') as {q}")
        elif c in table.timestamp_cols:
            out.append(f"strftime(cast({q} as timestamp), '{fmt}') as {q}")
        else:
            out.append(q)
    return ", ".join(out)


def write_landing(
    tables: list[Table],
    out: Path,
    gzip: bool = False,
    progress: Callable[[str], None] | None = None,
) -> int:
    """Write every table's batches to ``out/<source>/<object>/<batch>.csv[.gz]``."""
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    written = 0
    ext = ".csv.gz" if gzip else ".csv"
    for table in tables:
        frame = table.frame.reset_index(drop=True)
        frame["_ord"] = np.arange(len(frame))
        columns = [c for c in frame.columns if not c.startswith("_")]
        folder = Path(out) / table.source / table.object_name
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.csv*"):
            old.unlink()  # the generator owns its output folder; stale batches would mislead
        con.register("frame", frame)
        batches = sorted(int(b) for b in frame["_batch"].unique())
        for b in batches:
            path = folder / f"{batch_name(b)}{ext}"
            con.execute(
                f"copy (select {_select_list(table, columns)} from frame where _batch = {b} "
                f"order by _ord) to '{path}' (header, delimiter ','"
                f"{', compression gzip' if gzip else ''})"
            )
            written += 1
        con.unregister("frame")
        if progress:
            progress(
                f"[sample] {table.source}/{table.object_name}: {len(frame):,} rows, "
                f"{len(batches)} batches"
            )
    con.close()
    return written
