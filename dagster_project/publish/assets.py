"""The publish step: gated marts -> published/analytics.duckdb, Parquet files and a manifest."""

import json
import re
import warnings
from datetime import date
from pathlib import Path

import dagster as dg

from dagster_project.lib.lineage import to_sources
from dagster_project.partitions import AS_OF_PARTITIONS, AS_OF_SOURCE_TAG, PUBLISHED_FRESHNESS
from dagster_project.publish.publish import (
    AHEAD,
    PublishError,
    publish_destination,
    publish_marts,
)
from dagster_project.resources import FunnelSettings
from dagster_project.transform.assets import (
    LINEAGE_FILE,
    MART_KEYS,
    ahead_of_data,
    dbt_models,
    newest_loaded_day,
)


def grain(description: str) -> str | None:
    """The sentence of a model description that states its grain ("One row per ...")."""
    match = re.search(r"\bone row per [^.;:,(]*", description, re.IGNORECASE)
    return "O" + match.group(0)[1:].rstrip() if match else None


def describe_marts(target: Path, marts: dict[str, dg.AssetKey]) -> dict[str, dict]:
    """Each mart's manifest entry beyond its row count: its description (with the grain) and
    every column with its type, description and the extract columns it comes from, read from
    the run's dbt target (its manifest and the column lineage the dbt step wrote)."""
    manifest_path, lineage_path = target / "manifest.json", target / LINEAGE_FILE
    if not manifest_path.exists():
        return {}
    nodes = {
        n["name"]: n
        for n in json.loads(manifest_path.read_text())["nodes"].values()
        if n["resource_type"] == "model"
    }
    lineage = json.loads(lineage_path.read_text()) if lineage_path.exists() else {}
    out = {}
    for mart, key in marts.items():
        node = nodes.get(mart)
        if node is None:
            continue
        description = node.get("description", "")
        out[mart] = {
            "description": description,
            "grain": grain(description),
            "columns": [
                {
                    "name": name,
                    "type": column.get("data_type"),
                    "description": column.get("description", ""),
                    "from_extracts": to_sources(lineage, key.to_user_string(), name),
                }
                for name, column in node["columns"].items()
            ],
        }
    return out


def _check_outcomes(context: dg.AssetExecutionContext) -> list[dict]:
    """Every asset check evaluated in this run, with its outcome."""
    records = context.instance.all_logs(
        context.run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
    )
    out = []
    for rec in records:
        ev = rec.dagster_event.event_specific_data
        status = (
            "passed"
            if ev.passed
            else ("failed" if ev.severity == dg.AssetCheckSeverity.ERROR else "warned")
        )
        out.append(
            {
                "asset": "/".join(ev.asset_key.path),
                "check": ev.check_name,
                "outcome": status,
                "description": ev.description,
            }
        )
    return sorted(out, key=lambda c: (c["asset"], c["check"]))


def _build_report(database: Path, manifest: dict) -> str:
    # Imported when a run publishes: altair and vl-convert would add to every import of the
    # definitions (the UI, each launcher).
    from dagster_project.report.render import build_report

    return build_report(database, manifest)


# A backfill runs each day on its own (one as_of_date per run), as the dbt assets do. On @asset
# the parameter is flagged beta; its warning would print at every start.
warnings.filterwarnings("ignore", "Parameter `backfill_policy`", dg.BetaWarning)


@dg.asset(
    key=["published_marts"],
    group_name="publish",
    # Every dbt model, not only the marts: a blocking check on any gated model (staging
    # included) must stop publishing, and checks only block assets downstream of them.
    deps=[k for k, spec in dbt_models.specs_by_key.items() if spec.group_name != "lookup"],
    partitions_def=AS_OF_PARTITIONS,
    backfill_policy=dg.BackfillPolicy.multi_run(1),
    freshness_policy=PUBLISHED_FRESHNESS,
    pool="duckdb",
    kinds={"duckdb", "parquet"},
)
def published_marts(context: dg.AssetExecutionContext, settings: FunnelSettings):
    """The marts BI tools read: `published/analytics.duckdb` (schema `marts`, open it read-only),
    `published/parquet/<mart>.parquet`, `published/manifest.json` (run id, as_of_date, rows per
    mart, every check with its outcome) and the report, `published/report/index.html` (the
    weekly APM review, the quarter's trend and the funnel, drawn from the new files). Every
    table and column carries its description (DuckDB comments, Parquet metadata, the manifest).
    Runs only when every blocking check upstream passed (write-audit-publish), and swaps the
    files in atomically; a failed run leaves the previous files as they were. A run as of a day
    before the published one (a backfill) publishes to `published/replays/<day>/` instead, so BI
    tools never go back in time; a run as of a day after the newest loaded batch publishes to
    `published/ahead/<day>/` with a warning in its manifest (`FUNNEL_PUBLISH_AHEAD=1` publishes
    it as the main set)."""
    checks = _check_outcomes(context)
    failed = [c for c in checks if c["outcome"] == "failed"]
    if failed:
        # Blocking checks already stop this step; this guards against a check that failed with
        # ERROR severity without being declared blocking.
        raise dg.Failure(
            "Not publishing: checks failed: "
            + "; ".join(f"{c['asset']}:{c['check']}" for c in failed)
        )
    as_of = date.fromisoformat(context.partition_key)
    newest = newest_loaded_day(settings)
    ahead = ahead_of_data(as_of, newest)
    run_warnings = [ahead] if ahead else []
    destination = publish_destination(
        settings.published_path,
        as_of.isoformat(),
        ahead_of_data=bool(ahead) and not settings.publish_ahead,
    )
    if destination != settings.published_path:
        why = (
            "is after the newest loaded batch"
            if destination.parent.name == AHEAD
            else "is before the published marts' day"
        )
        context.log.info(
            f"as_of_date {as_of} {why}: publishing to {destination}; the marts BI tools read "
            "stay as they are"
        )
    manifest_extra = {
        "run_id": context.run.run_id,
        "as_of_date": as_of.isoformat(),
        "as_of_source": context.run.tags.get(AS_OF_SOURCE_TAG, "partition chosen at launch"),
        "newest_batch_day": newest.isoformat(),
        "checks": checks,
        "checks_summary": {
            k: sum(1 for c in checks if c["outcome"] == k) for k in ("passed", "warned", "failed")
        },
        "warnings": run_warnings,
    }
    target = settings.warehouse_path / "dbt-runs" / context.run.run_id[:8]
    try:
        result = publish_marts(
            settings.work_db,
            destination,
            list(MART_KEYS),
            manifest_extra,
            described=describe_marts(target, MART_KEYS),
            report=_build_report,
        )
    except PublishError as err:
        raise dg.Failure(str(err)) from err
    context.log.info(
        f"published {len(result.row_counts)} marts to {result.db_path}: {result.row_counts}"
    )
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(result.db_path)),
            "manifest": dg.MetadataValue.path(str(result.manifest_path)),
            "report": dg.MetadataValue.path(str(result.report_path)),
            "as_of_date": as_of.isoformat(),
            "warnings": run_warnings,
            "rows_per_mart": result.row_counts,
            "dagster/row_count": sum(result.row_counts.values()),
        }
    )
