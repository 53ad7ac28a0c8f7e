"""The dbt models as Dagster assets, built with one `dbt build` per run."""

import json
import os
import shutil
from datetime import date
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets
from dagster_dbt.errors import DagsterDbtCliRuntimeError

from dagster_project.lib import warmup
from dagster_project.lib.batches import as_of_date
from dagster_project.lib.duck import connect_work
from dagster_project.partitions import AS_OF_PARTITIONS
from dagster_project.resources import FunnelSettings
from dagster_project.transform.failures import describe_dbt_failures, warned_test_rows
from dagster_project.transform.metadata import model_metadata
from dagster_project.transform.project import dbt_project
from dagster_project.transform.translator import FolderGroupTranslator

FULL_REFRESH_TAG = "funnel/full_refresh"
KEEP_DBT_TARGETS = 5
LINEAGE_FILE = "column_lineage.json"
# Column lineage depends on the project's SQL and the column types, not on the data or the
# warehouse, so every warehouse of this project shares it: a new warehouse's first full refresh
# does not spend the ~23 s of working it out again (transform/metadata.py).
LINEAGE_CACHE = dbt_project.project_dir / "target" / "lineage-cache.json"
PARTIAL_PARSE = "partial_parse.msgpack"
# The date reaches dbt in the environment, not in --vars: dbt re-parses the whole project when
# vars change, that is on every new day (see dbt/macros/as_of_date.sql).
AS_OF_ENV = "FUNNEL_DBT_AS_OF_DATE"


def newest_loaded_day(settings: FunnelSettings) -> date:
    """The day of the newest batch loaded into the work warehouse: the default as_of_date."""
    con = connect_work(settings.work_db, read_only=True)
    try:
        names = [
            r[0]
            for r in con.execute(
                "select distinct batch from ingest.load_log where status = 'loaded'"
            ).fetchall()
        ]
    finally:
        con.close()
    newest = as_of_date(names)
    if newest is None:
        raise dg.Failure(
            "No extract batch has been loaded, so there is nothing to build. Put extracts in "
            "the landing zone (see README) and run again."
        )
    return newest


def ahead_of_data(as_of: date, newest: date) -> str | None:
    """The warning for a run as of a day after the newest loaded batch, else None."""
    if as_of <= newest:
        return None
    return (
        f"as_of_date {as_of} is after the newest loaded batch ({newest}): the marts report "
        "days that no extract covers yet"
    )


def resolve_as_of_date(settings: FunnelSettings, partition_key: str, log=None) -> date:
    """The run's clock: its partition, one per as_of_date (the launchers pick the newest batch's
    day, or $FUNNEL_AS_OF_DATE; a backfill picks each day of its range). With ``log``, a day
    after the newest loaded batch is reported: no extract covers it yet."""
    as_of = date.fromisoformat(partition_key)
    warning = ahead_of_data(as_of, newest_loaded_day(settings))
    if log is not None and warning:
        log.warning(warning + "; they are published apart (published/ahead/<day>/).")
    return as_of


def _reuse_parse_state(target_root: Path, target: Path) -> None:
    """Start the run's dbt target from the newest earlier run's parse state in this warehouse.

    Every run gets its own target folder (its artifacts stay readable after the next run), and
    dagster-dbt would otherwise seed it from the project's ``dbt/target``, which was parsed
    with another profile (another warehouse path), so dbt re-parsed the whole project on every
    run. dbt checks the state itself (file hashes, vars, profile, version) and re-parses
    what changed.
    """
    states = sorted(
        target_root.glob(f"*/{PARTIAL_PARSE}"), key=lambda p: p.stat().st_mtime, reverse=True
    )
    if states and not (target / PARTIAL_PARSE).exists():
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(states[0], target / PARTIAL_PARSE)


def _prune_targets(root) -> None:
    """Keep the newest runs' dbt targets."""
    # Before 2026-12-05 each warehouse kept its own lineage cache here; the project's is used now.
    (root / "lineage-cache.json").unlink(missing_ok=True)
    runs = sorted((p for p in root.glob("*") if p.is_dir()), key=lambda p: p.stat().st_mtime)
    for old in runs[:-KEEP_DBT_TARGETS]:
        shutil.rmtree(old, ignore_errors=True)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=FolderGroupTranslator(),
    partitions_def=AS_OF_PARTITIONS,
    # One run per day of a backfill: a run has one as_of_date.
    backfill_policy=dg.BackfillPolicy.multi_run(1),
    pool="duckdb",
)
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, settings: FunnelSettings):
    """Staging, intermediate and mart models, built by `dbt build` so that each model's dbt tests
    run right after it (error-severity tests block the models downstream and publishing)."""
    # The dbt profile reads the warehouse path from the environment; the subprocess inherits it.
    os.environ["FUNNEL_WAREHOUSE_DIR"] = str(settings.warehouse_path)
    as_of = resolve_as_of_date(settings, context.partition_key, context.log)
    context.log.info(f"dbt build with as_of_date = {as_of}")
    target_root = settings.warehouse_path / "dbt-runs"
    target = target_root / context.run.run_id[:8]
    _reuse_parse_state(target_root, target)
    os.environ[AS_OF_ENV] = as_of.isoformat()
    # One run, one dbt.log: dbt rolls its log over at 10 MB by default, and a full build
    # (some 450 nodes) writes more, which left the run's start, parse included, in dbt.log.1.
    os.environ["DBT_LOG_FILE_MAX_BYTES"] = "0"
    # dbt unit tests check the SQL against fixed inputs, not the day's data: `make test` runs
    # them (tests/test_e2e.py), and a scheduled run does not spend time on them again.
    args = ["build", "--exclude-resource-type", "unit_test"]
    if settings.full_refresh or context.run.tags.get(FULL_REFRESH_TAG) == "true":
        # Incremental models rebuilt from the raw tables (after a model change or an upgrade).
        args.append("--full-refresh")
        context.log.info("full refresh: incremental models are rebuilt from the raw tables")
    invocation = dbt.cli(args, context=context, target_path=target)
    # dbt now works in its own process; this one mostly waits for its events.
    warmup.start_pending()
    # Every event is held back until dbt has let go of the warehouse: the models' row counts,
    # columns and lineage (transform/metadata.py) and the failing rows of warned tests are read
    # then, and the events go out in dbt's order.
    held, failure = [], None
    try:
        for event in invocation.stream():
            held.append(event)
    except DagsterDbtCliRuntimeError as err:
        failures = describe_dbt_failures(target, settings.work_db)
        if not failures:
            raise
        # The rule and the offending rows, first thing in the run's error: the UI shows this
        # message on the failed step, one click from the run.
        failure = dg.Failure(
            description="dbt build failed; nothing was published.\n" + "\n".join(failures),
            metadata={"dbt_target": str(target)},
        )
        failure.__cause__ = err
    finally:
        os.environ.pop(AS_OF_ENV, None)
        _prune_targets(target_root)
    # what was built before a failure is recorded too
    yield from _with_metadata(held, invocation.manifest, target, settings)
    if failure is not None:
        raise failure


def _unique_id(event) -> str | None:
    value = event.metadata.get("unique_id")
    return getattr(value, "text", value)


def _with_metadata(events: list, manifest: dict, target: Path, settings: FunnelSettings):
    """The dbt step's events with each model's metadata added and each warned test's failing
    rows in its description."""
    outputs = [e for e in events if isinstance(e, dg.Output) and _unique_id(e)]
    metadata = (
        model_metadata(
            settings.work_db,
            manifest,
            [_unique_id(e) for e in outputs],
            target,
            FolderGroupTranslator(),
            cache_path=LINEAGE_CACHE,
        )
        if outputs
        else {}
    )
    warned = any(
        isinstance(e, dg.AssetCheckResult)
        and not e.passed
        and e.severity == dg.AssetCheckSeverity.WARN
        for e in events
    )
    rows = warned_test_rows(target, settings.work_db) if warned else {}
    _write_lineage(target / LINEAGE_FILE, manifest, metadata)
    for event in events:
        if isinstance(event, dg.Output) and _unique_id(event) in metadata:
            yield event.with_metadata({**event.metadata, **metadata[_unique_id(event)]})
        elif isinstance(event, dg.AssetCheckResult) and rows.get(event.check_name):
            yield event._replace(description=rows[event.check_name])
        else:
            yield event


def _write_lineage(path: Path, manifest: dict, metadata: dict) -> None:
    """Each model's column lineage, one level at a time, for the publish step's manifest:
    ``{"marts/mart_apm": {"value": ["intermediate/int_apm__snapshot_measures.acv_corp"]}}``."""
    translator = FolderGroupTranslator()
    out = {}
    for uid, meta in metadata.items():
        lineage = meta.get("dagster/column_lineage")
        if lineage is None:
            continue
        key = translator.get_asset_key(manifest["nodes"][uid]).to_user_string()
        out[key] = {
            column: sorted(f"{d.asset_key.to_user_string()}.{d.column_name}" for d in deps)
            for column, deps in lineage.deps_by_column.items()
        }
    path.write_text(json.dumps(out, indent=1, sort_keys=True))


# Mart name -> asset key: the models of the marts folder (group ``marts``), which are published.
MART_KEYS: dict[str, dg.AssetKey] = {
    key.path[-1]: key for key, spec in dbt_models.specs_by_key.items() if spec.group_name == "marts"
}
