"""What the UI shows about each dbt model, read once dbt has finished: row count, column schema
(names, types, descriptions) and column lineage.

dagster-dbt can fetch these itself, but it keeps a DuckDB connection open in the step's process
(so later steps of the same process cannot open the file) and fetches model by model while dbt
runs: the sample's dbt step took 37 s with it against 13 s without. Here one read-only
connection reads every model's count and columns after dbt exits, and closes; the lineage is
worked out from the compiled SQL and those columns (sqlglot, through dagster-dbt's own builder),
so every run, from `make run`, the UI, the schedule or the sensor, carries the same metadata.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import dagster as dg

from dagster_project.lib.duck import connect_work

logger = logging.getLogger(__name__)
COUNTED = ("table", "incremental", "seed")
CACHE_KEEP_DAYS = 30


def _relation(node: dict) -> tuple[str, str]:
    return node["schema"], node.get("alias") or node["name"]


def model_metadata(
    work_db: Path,
    manifest: dict,
    unique_ids: list[str],
    target: Path | None = None,
    translator=None,
    cache_path: Path | None = None,
) -> dict[str, dict[str, Any]]:
    """unique_id -> metadata for each built node: ``dagster/row_count`` (tables), the column
    schema, and ``dagster/column_lineage`` where ``target`` (the run's dbt target) is given,
    with the lineage worked out earlier kept in ``cache_path``."""
    nodes = {**manifest["nodes"], **manifest.get("sources", {})}
    cache = _load_cache(cache_path) if cache_path is not None and cache_path.exists() else {}
    used: set[str] = set()
    con = connect_work(work_db, read_only=True)
    try:
        columns: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
        for schema, table, column, data_type in con.execute(
            "select table_schema, table_name, column_name, data_type "
            "from information_schema.columns order by table_schema, table_name, ordinal_position"
        ).fetchall():
            columns[(schema, table)].append((column, data_type))
        out = {}
        for uid in unique_ids:
            node = nodes.get(uid)
            if node is None:
                continue
            schema, table = _relation(node)
            docs = {name: col.get("description") or "" for name, col in node["columns"].items()}
            meta: dict[str, Any] = {
                "dagster/column_schema": dg.TableSchema(
                    columns=[
                        dg.TableColumn(name, dtype.lower(), description=docs.get(name) or None)
                        for name, dtype in columns.get((schema, table), [])
                    ]
                )
            }
            if node["config"].get("materialized") in COUNTED:
                meta["dagster/row_count"] = int(
                    con.execute(f'select count(*) from "{schema}"."{table}"').fetchall()[0][0]
                )
            if target is not None and translator is not None:
                meta.update(
                    _lineage(node, nodes, manifest, columns, target, translator, cache, used)
                )
            out[uid] = meta
    finally:
        con.close()
    if cache_path is not None:
        _save_cache(cache_path, cache, used)
    return out


def _compiled_sql(node: dict, target: Path) -> str | None:
    path = target / "compiled" / node["package_name"] / node["original_file_path"]
    return path.read_text() if path.exists() else None


def _lineage(
    node, nodes, manifest, columns, target: Path, translator, cache: dict, used: set
) -> dict[str, Any]:
    """``dagster/column_lineage`` of one model from its compiled SQL; {} when it cannot be
    worked out (the model keeps its other metadata). Worked out once per version of the SQL
    and of the columns it reads (``cache``): sqlglot takes some 23 s for the whole project
    (79 models), whatever the size of the data."""
    from dagster_dbt.core.dbt_cli_event import (
        EventHistoryMetadata,
        _build_column_lineage_metadata,
    )

    def typed(key: tuple[str, str]) -> dict[str, dict[str, str]]:
        return {name: {"data_type": dtype} for name, dtype in columns.get(key, [])}

    sql = _compiled_sql(node, target)
    if sql is None:
        return {}
    parents = {
        # The keys an incremental-by-key model recomputes (macros/incremental_by_key.sql), a
        # temporary table the compiled SQL reads.
        f'"temp"."main"."{_relation(node)[1]}__changed_keys"': {
            "digest_key": {"data_type": "VARCHAR"}
        }
    }
    for parent_id in manifest["parent_map"].get(node["unique_id"], []):
        parent = nodes.get(parent_id)
        if parent is not None and parent.get("relation_name"):
            parents[parent["relation_name"]] = typed(_relation(parent))
    own = typed(_relation(node))
    # Keyed by the model's source SQL and the macros it calls, not by its compiled SQL: that
    # changes every day (the as_of_date literal) and between a full refresh and an incremental
    # run (the changed-keys filter), where the lineage of the columns does not.
    macros = manifest.get("macros", {})
    called = [macros.get(m, {}).get("macro_sql", m) for m in node["depends_on"].get("macros", [])]
    key = hashlib.sha256(
        json.dumps([node.get("raw_code"), called, own, parents], sort_keys=True).encode()
    ).hexdigest()
    used.add(key)
    if key in cache:
        return cache[key]
    try:
        found = _build_column_lineage_metadata(
            event_history_metadata=EventHistoryMetadata(
                columns=typed(_relation(node)), parents=parents
            ),
            dbt_resource_props=node,
            manifest=manifest,
            dagster_dbt_translator=translator,
            target_path=target,
            project=None,
        )
    except Exception as err:  # sqlglot meets SQL it cannot resolve: no lineage for this model
        logger.debug("no column lineage for %s: %s", node["unique_id"], err)
        found = {}
    cache[key] = found
    return found


def _load_cache(path: Path) -> dict[str, Any]:
    """key -> lineage; the stored entries carry the time they were last used."""
    return {k: dg.deserialize_value(v) for k, (_, v) in _read_entries(path).items()}


def _read_entries(path: Path) -> dict[str, list]:
    try:
        entries = json.loads(path.read_text())
        return {k: v for k, v in entries.items() if isinstance(v, list) and len(v) == 2}
    except Exception:  # absent or unreadable: the lineage is worked out again
        return {}


def _save_cache(path: Path, cache: dict[str, Any], used: set[str]) -> None:
    """Merge this run's entries into the file and drop those no run used for
    ``CACHE_KEEP_DAYS`` (older versions of the SQL). Several warehouses share the file (it
    belongs to the dbt project, like dbt's partial parse state) and may save at once, so each
    writes its own temporary file and renames it over the old one; a run whose entries lose
    that race only works them out again next time. A read-only project keeps no cache."""
    now = time.time()
    entries = {k: v for k, v in _read_entries(path).items() if now - v[0] < CACHE_KEEP_DAYS * 86400}
    for key in used:
        if key in cache:
            entries[key] = [now, dg.serialize_value(cache[key])]
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(entries))
        tmp.replace(path)
    except OSError as err:
        logger.debug("lineage cache not saved: %s", err)
        tmp.unlink(missing_ok=True)
