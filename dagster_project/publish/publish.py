"""Write-audit-publish of the gated marts (no Dagster imports).

Everything is written under temporary names inside ``published/`` (same filesystem, so renames
are atomic), then swapped in with ``os.replace``: the DuckDB file first, then each Parquet file,
and the manifest last, so a manifest always describes files that are in place. A BI reader that
has ``analytics.duckdb`` open keeps its snapshot; a crash before the swap leaves the previous
files untouched and only a temporary file behind, which the next publish removes.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

PUBLISHED_DB = "analytics.duckdb"
PUBLISHED_SCHEMA = "marts"
MANIFEST = "manifest.json"
_TMP_PREFIX = ".tmp-"


@dataclass
class PublishResult:
    db_path: Path
    parquet_dir: Path
    manifest_path: Path
    row_counts: dict[str, int]


def _clean_leftovers(published: Path) -> None:
    for leftover in published.glob(f"{_TMP_PREFIX}*"):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)


def publish_marts(
    work_db: Path,
    published: Path,
    marts: list[str],
    manifest_extra: dict,
    source_schema: str = "marts",
) -> PublishResult:
    """Copy ``marts`` from the work warehouse into a fresh published file set and swap it in."""
    published.mkdir(parents=True, exist_ok=True)
    _clean_leftovers(published)
    token = f"{_TMP_PREFIX}{os.getpid()}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%f')}"
    tmp_db = published / f"{token}-{PUBLISHED_DB}"
    tmp_parquet = published / f"{token}-parquet"
    tmp_parquet.mkdir()

    con = duckdb.connect(str(tmp_db))
    row_counts: dict[str, int] = {}
    try:
        con.execute(f"attach '{work_db}' as work (read_only)")
        con.execute(f"create schema {PUBLISHED_SCHEMA}")
        for mart in sorted(marts):
            con.execute(
                f'create table {PUBLISHED_SCHEMA}."{mart}" as '
                f'select * from work.{source_schema}."{mart}"'
            )
            row_counts[mart] = int(
                con.execute(f'select count(*) from {PUBLISHED_SCHEMA}."{mart}"').fetchall()[0][0]
            )
            con.execute(
                f"copy {PUBLISHED_SCHEMA}.\"{mart}\" to '{tmp_parquet / (mart + '.parquet')}' "
                "(format parquet)"
            )
        con.execute("detach work")
        con.execute("checkpoint")
    finally:
        con.close()

    parquet_dir = published / "parquet"
    parquet_dir.mkdir(exist_ok=True)
    manifest = {
        **manifest_extra,
        "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": PUBLISHED_DB,
        "schema": PUBLISHED_SCHEMA,
        "marts": {m: {"rows": n, "parquet": f"parquet/{m}.parquet"} for m, n in row_counts.items()},
    }
    tmp_manifest = published / f"{token}-{MANIFEST}"
    tmp_manifest.write_text(json.dumps(manifest, indent=2, default=str) + "\n")

    # The swap: each replace is atomic; the manifest goes last.
    os.replace(tmp_db, published / PUBLISHED_DB)
    for f in sorted(tmp_parquet.glob("*.parquet")):
        os.replace(f, parquet_dir / f.name)
    for stale in parquet_dir.glob("*.parquet"):
        if stale.stem not in row_counts:
            stale.unlink()
    os.replace(tmp_manifest, published / MANIFEST)
    shutil.rmtree(tmp_parquet, ignore_errors=True)
    return PublishResult(published / PUBLISHED_DB, parquet_dir, published / MANIFEST, row_counts)
