"""Write-audit-publish of the gated marts (no Dagster imports).

Everything is written under temporary names inside ``published/`` (same filesystem, so renames
are atomic). Then a commit record (``.tmp-<token>.commit``) is written, and only then are the
files swapped in with ``os.replace``: the DuckDB file first, then each Parquet file, then the
report page, and the manifest last, so a manifest always describes files that are in place. A
BI reader that has ``analytics.duckdb`` open keeps its snapshot.

A process killed before the commit record leaves the previous files untouched and temporary
files behind, which the next run removes. Killed after it (during the renames, which take
microseconds), it may leave the new database beside the old manifest; every file is still whole,
and the next run finishes the swap from the commit record before doing anything else
(``recover_interrupted_publish``).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from dagster_project.lib.processes import process_alive

PUBLISHED_DB = "analytics.duckdb"
PUBLISHED_SCHEMA = "marts"
MANIFEST = "manifest.json"
REPORT = "report/index.html"
STORAGE_VERSION = "v1.0.0"
_TMP_PREFIX = ".tmp-"


class PublishError(Exception):
    """The published files could not be written; the message says why and what to do."""


# Errors of the disk or the folder, not of the data: a full disk, no permission, read-only.
_WRITE_ERRNOS = {errno.ENOSPC, errno.EACCES, errno.EPERM, errno.EROFS, errno.EDQUOT}


@dataclass
class PublishResult:
    db_path: Path
    parquet_dir: Path
    manifest_path: Path
    row_counts: dict[str, int]
    report_path: Path | None = None


_COMMIT_SUFFIX = ".commit"


def _swap(published: Path, plan: dict) -> None:
    """Carry out a committed swap; safe to repeat (renames already done are skipped)."""
    parquet_dir = published / "parquet"
    parquet_dir.mkdir(exist_ok=True)
    for src, dst in plan["renames"]:
        if (published / src).exists():
            (published / dst).parent.mkdir(exist_ok=True)
            os.replace(published / src, published / dst)
    for stale in parquet_dir.glob("*.parquet"):
        if stale.stem not in plan["marts"]:
            stale.unlink()
    if (published / plan["manifest"][0]).exists():
        os.replace(published / plan["manifest"][0], published / plan["manifest"][1])


def _writer_alive(path: Path) -> bool:
    """Whether the process that wrote a temporary file (its PID is in the name) still runs."""
    try:
        pid = int(path.name[len(_TMP_PREFIX) :].split("-", 1)[0])
    except ValueError:
        return False
    return pid != os.getpid() and process_alive(pid)


def recover_interrupted_publish(published: Path) -> str | None:
    """Finish a swap a killed process had committed to, then remove temporary leftovers.

    Returns a sentence saying what was done, or None when there was nothing to do.
    """
    published = Path(published)
    if not published.is_dir():
        return None
    done = None
    for commit in sorted(published.glob(f"{_TMP_PREFIX}*{_COMMIT_SUFFIX}")):
        if _writer_alive(commit):
            continue
        plan = json.loads(commit.read_text())
        _swap(published, plan)
        commit.unlink()
        done = f"finished the publish of run {plan.get('run_id')} that was interrupted mid-swap"
    leftovers = [p for p in published.glob(f"{_TMP_PREFIX}*") if not _writer_alive(p)]
    for leftover in leftovers:
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)
    if leftovers and done is None:
        done = f"removed {len(leftovers)} temporary file(s) of an interrupted publish"
    return done


REPLAYS = "replays"
AHEAD = "ahead"


def publish_destination(published: Path, as_of: str, ahead_of_data: bool = False) -> Path:
    """Where a run as of ``as_of`` (YYYY-MM-DD) publishes: the set BI tools read, unless

    - that set is as of a later day: the run replays a past day (a backfill, FUNNEL_AS_OF_DATE)
      and its marts go to ``replays/<as_of>/`` beside it, so the published marts never go back
      in time;
    - ``ahead_of_data``: the day is after the newest loaded batch, so no extract covers it yet;
      its marts go to ``ahead/<as_of>/``, or the next ordinary run, as of the newest batch,
      would count as a replay and the set BI tools read would stay on the empty day.
    """
    if ahead_of_data:
        return Path(published) / AHEAD / as_of
    manifest = Path(published) / MANIFEST
    if manifest.exists():
        current = json.loads(manifest.read_text()).get("as_of_date")
        if current and current > as_of:
            return Path(published) / REPLAYS / as_of
    return Path(published)


def publish_marts(
    work_db: Path,
    published: Path,
    marts: list[str],
    manifest_extra: dict,
    source_schema: str = "marts",
    described: dict[str, dict] | None = None,
    report: Callable[[Path, dict], str] | None = None,
) -> PublishResult:
    """Copy ``marts`` from the work warehouse into a fresh published file set and swap it in.
    ``described`` adds to each mart's manifest entry (its description, its columns).
    ``report(database, manifest)`` returns the report page for the new set, swapped in with it.

    Raises ``PublishError`` when the files cannot be written (a full disk, a folder this user
    cannot write): the temporary files are removed and the published set stays as it was.
    """
    try:
        published.mkdir(parents=True, exist_ok=True)
        recover_interrupted_publish(published)
    except OSError as err:
        raise PublishError(_write_failure(published, err)) from err
    token = f"{_TMP_PREFIX}{os.getpid()}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%f')}"
    try:
        return _write_and_swap(
            work_db, published, marts, manifest_extra, source_schema, token, described, report
        )
    except (OSError, duckdb.Error) as err:
        if not _is_write_failure(err):
            raise
        _remove_temporaries(published, token)
        raise PublishError(_write_failure(published, err)) from err


def _is_write_failure(err: Exception) -> bool:
    text = str(err).lower()
    return (isinstance(err, OSError) and err.errno in _WRITE_ERRNOS) or any(
        s in text for s in ("no space left", "permission denied", "read-only file system")
    )


def _write_failure(published: Path, err: Exception) -> str:
    """What a person reads when the published files cannot be written."""
    text = str(err).lower()
    if (isinstance(err, OSError) and err.errno == errno.ENOSPC) or "no space left" in text:
        free = shutil.disk_usage(published if published.exists() else published.parent).free
        return (
            f"Publishing failed: the disk holding {published} is full ({free / 1e6:,.1f} MB "
            "free). Nothing was swapped in and the temporary files were removed, so the "
            "published marts are as they were. Free some space (or point FUNNEL_WAREHOUSE_DIR "
            "at a larger disk), then run again."
        )
    return (
        f"Publishing failed: {published} cannot be written by this user ({err.__class__.__name__}"
        f": {str(err).splitlines()[0][:200]}). Nothing was swapped in, so the published marts "
        "are as they were. Make the folder writable (or point FUNNEL_WAREHOUSE_DIR elsewhere), "
        "then run again."
    )


def _remove_temporaries(published: Path, token: str) -> None:
    """This publish's temporary files; none once its commit record exists (the next run
    finishes that swap: recover_interrupted_publish)."""
    if (published / f"{token}{_COMMIT_SUFFIX}").exists():
        return
    for leftover in published.glob(f"{token}*"):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)


def _write_and_swap(
    work_db: Path,
    published: Path,
    marts: list[str],
    manifest_extra: dict,
    source_schema: str,
    token: str,
    described: dict[str, dict] | None,
    report: Callable[[Path, dict], str] | None,
) -> PublishResult:
    tmp_db = published / f"{token}-{PUBLISHED_DB}"
    tmp_parquet = published / f"{token}-parquet"
    tmp_parquet.mkdir()

    # Written in the oldest storage format that holds the marts, so BI tools that bundle an
    # older DuckDB than ours (1.x; tests/test_report.py opens it with the 1.5 CLI) can open it; the
    # default format of DuckDB 2 is unreadable to them.
    con = duckdb.connect(str(tmp_db), config={"storage_compatibility_version": STORAGE_VERSION})
    row_counts: dict[str, int] = {}
    try:
        # The marts have no row order (none ends in ORDER BY), so DuckDB may write each copy on
        # both threads instead of keeping the work file's order: the l marts' publish alone,
        # three alternating runs, 6.1-6.7 s -> 4.7-5.1 s, the same rows in both files.
        con.execute("set preserve_insertion_order = false")
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
            about = (described or {}).get(mart, {})
            _comment(con, mart, about)
            con.execute(
                f"copy {PUBLISHED_SCHEMA}.\"{mart}\" to '{tmp_parquet / (mart + '.parquet')}' "
                f"(format parquet{_parquet_metadata(about)})"
            )
        con.execute("detach work")
        con.execute("checkpoint")
    finally:
        con.close()

    manifest = {
        **manifest_extra,
        "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": PUBLISHED_DB,
        "schema": PUBLISHED_SCHEMA,
        "marts": {
            m: {"rows": n, "parquet": f"parquet/{m}.parquet", **(described or {}).get(m, {})}
            for m, n in row_counts.items()
        },
    }
    renames = [[tmp_db.name, PUBLISHED_DB]] + [
        [f"{tmp_parquet.name}/{m}.parquet", f"parquet/{m}.parquet"] for m in sorted(row_counts)
    ]
    if report is not None:
        # Rendered from the new file before the swap: the page and the marts always agree.
        manifest["report"] = REPORT
        tmp_report = published / f"{token}-report.html"
        tmp_report.write_text(report(tmp_db, manifest))
        renames.append([tmp_report.name, REPORT])
    tmp_manifest = published / f"{token}-{MANIFEST}"
    tmp_manifest.write_text(json.dumps(manifest, indent=2, default=str) + "\n")

    # The commit point: once the record is in place the swap is carried out, by this process or,
    # if it dies, by the next run. Written under a temporary name and renamed, so it is whole.
    plan = {
        "run_id": manifest_extra.get("run_id"),
        "marts": sorted(row_counts),
        "renames": renames,
        "manifest": [tmp_manifest.name, MANIFEST],
    }
    commit = published / f"{token}{_COMMIT_SUFFIX}"
    pending = published / f"{token}.pending"
    pending.write_text(json.dumps(plan))
    written = [published / src for src, _ in renames if "/" not in src]
    _fsync_dir_entries(published, [*written, tmp_manifest, pending, *tmp_parquet.iterdir()])
    os.replace(pending, commit)
    _swap(published, plan)
    commit.unlink()
    shutil.rmtree(tmp_parquet, ignore_errors=True)
    return PublishResult(
        published / PUBLISHED_DB,
        published / "parquet",
        published / MANIFEST,
        row_counts,
        published / REPORT if report is not None else None,
    )


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _comment(con: duckdb.DuckDBPyConnection, mart: str, about: dict) -> None:
    """The mart's dbt descriptions as DuckDB comments: a BI tool's schema browser shows them,
    and so do ``duckdb_tables()`` and ``duckdb_columns()``."""
    table = f'{PUBLISHED_SCHEMA}."{mart}"'
    if about.get("description"):
        con.execute(f"comment on table {table} is {_quote(about['description'])}")
    for column in about.get("columns", []):
        if column.get("description"):
            con.execute(
                f'comment on column {table}."{column["name"]}" is {_quote(column["description"])}'
            )


def _parquet_metadata(about: dict) -> str:
    """The same descriptions in the Parquet file's key-value metadata: ``description`` (the
    table's, with its grain) and ``column_descriptions`` (JSON, column name -> description)."""
    if not about:
        return ""
    columns = {c["name"]: c.get("description", "") for c in about.get("columns", [])}
    return (
        f", kv_metadata {{description: {_quote(about.get('description', ''))}, "
        f"column_descriptions: {_quote(json.dumps(columns))}}}"
    )


def _fsync_dir_entries(directory: Path, files: list[Path]) -> None:
    """Flush the new files' bytes to disk before the commit, so a power cut cannot leave a
    committed swap pointing at files the disk never received."""
    for f in files:
        fd = os.open(f, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
