"""One Dagster asset per extract object: landing files -> typed raw table in the work warehouse.

Asset keys equal the dbt source keys (``["crm", "opportunity"]``), so the asset graph joins the
ingest step to the staging models without a mapping.
"""

import os

import dagster as dg
import duckdb

from dagster_project.ingest.contract import CONTRACTS, ObjectContract
from dagster_project.ingest.discover import discover, unknown_folders
from dagster_project.ingest.load import IngestError, load_objects
from dagster_project.lib.duck import connect_work
from dagster_project.resources import FunnelSettings, WarehouseRunLock

REJECTS_CHECK = "no_rejected_rows"
COLUMNS_CHECK = "columns_as_before"
# What a batch lacking a column the previous batch had does: warn (default) or block.
MISSING_COLUMN_ENV = "FUNNEL_GUARD_MISSING_COLUMN"


def _column_schema(con: duckdb.DuckDBPyConnection, contract: ObjectContract) -> dg.TableSchema:
    rows = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [contract.source, contract.table],
    ).fetchall()
    docs = {c.name: c.description for c in contract.columns}
    return dg.TableSchema(
        columns=[dg.TableColumn(name, dtype, description=docs.get(name)) for name, dtype in rows]
    )


def _spec(contract: ObjectContract) -> dg.AssetSpec:
    required = ", ".join(contract.required) or "none"
    return dg.AssetSpec(
        key=dg.AssetKey(contract.asset_key),
        group_name="ingest",
        kinds={"duckdb", "python"},
        description=(
            f"{contract.description} Loads every new batch of "
            f"`{contract.source}/<{contract.name}>/` into `{contract.source}.{contract.table}` "
            f"(kind: {contract.kind}; key: {', '.join(contract.key)}; required columns: "
            f"{required}). Rows that break the contract go to `ingest.rejects` with the reason; "
            "files already in `ingest.load_log` (same checksum) are skipped."
        ),
        metadata={"dagster/table_name": f"work.{contract.source}.{contract.table}"},
    )


def _rejects_check(contract: ObjectContract) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        REJECTS_CHECK,
        asset=dg.AssetKey(contract.asset_key),
        description="Warns when this run rejected rows of this object (see ingest.rejects).",
    )


def _columns_check(contract: ObjectContract) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        COLUMNS_CHECK,
        asset=dg.AssetKey(contract.asset_key),
        blocking=True,
        description=(
            "Fails when a new batch lacks a column the previous batch had (an optional "
            "column such as ACV__c dropped from the extract changes the published numbers "
            f"silently). Warns by default; {MISSING_COLUMN_ENV}=block stops the run."
        ),
    )


def _columns_result(contract: ObjectContract, summary) -> dg.AssetCheckResult:
    gone = [(f.batch.display, f.columns_gone) for f in summary.files if f.columns_gone]
    block = os.environ.get(MISSING_COLUMN_ENV, "warn").lower() == "block"
    return dg.AssetCheckResult(
        asset_key=dg.AssetKey(contract.asset_key),
        check_name=COLUMNS_CHECK,
        passed=not gone,
        severity=dg.AssetCheckSeverity.ERROR if block else dg.AssetCheckSeverity.WARN,
        description=(
            "Every new batch has the columns the previous batch had."
            if not gone
            else "; ".join(
                f"{batch} lacks {', '.join(cols)}, which the previous batch of "
                f"{contract.source}/{contract.name} had: its rows have them empty"
                for batch, cols in gone
            )
            + ". Re-export with the column, or accept it"
            + (f" ({MISSING_COLUMN_ENV}=warn)." if block else ".")
        ),
        metadata={"batches": {batch: cols for batch, cols in gone}},
    )


def _result(contract: ObjectContract, summary, schema: dg.TableSchema) -> dg.MaterializeResult:
    key = dg.AssetKey(contract.asset_key)
    return dg.MaterializeResult(
        asset_key=key,
        metadata={
            "dagster/row_count": summary.table_rows,
            "dagster/column_schema": schema,
            "batches_loaded": summary.count("loaded"),
            "batches_skipped": summary.count("skipped"),
            "rows_loaded": summary.rows_loaded,
            "rows_rejected": summary.rows_rejected,
            "read_notes": [f"{f.batch.display}: {f.message}" for f in summary.files if f.message],
        },
        check_results=[
            dg.AssetCheckResult(
                asset_key=key,
                check_name=REJECTS_CHECK,
                passed=summary.rows_rejected == 0,
                severity=dg.AssetCheckSeverity.WARN,
                description=(
                    "No rows rejected."
                    if summary.rows_rejected == 0
                    else f"{summary.rows_rejected} rows rejected; query ingest.rejects "
                    f"where object = '{contract.name}' for the rows and reasons."
                ),
                metadata={
                    "rows_rejected": summary.rows_rejected,
                    "reasons": dict(summary.reject_reasons),
                },
            ),
            _columns_result(contract, summary),
        ],
    )


@dg.multi_asset(
    name="ingest_extracts",
    specs=[_spec(c) for c in CONTRACTS],
    check_specs=[
        *(_rejects_check(c) for c in CONTRACTS),
        *(_columns_check(c) for c in CONTRACTS),
    ],
    can_subset=True,
    pool="duckdb",
)
def ingest_extracts(
    context: dg.AssetExecutionContext, settings: FunnelSettings, run_lock: WarehouseRunLock
):
    """Load new extract batches of every selected object into its raw table.

    One step for all objects: they share one DuckDB database (one writer process per file),
    two objects loading at a time on their own cursors, and the step starts one process, not
    one per object. Each object is still its own asset with its own row counts, schema and
    rejected-rows check. An object whose batch cannot be loaded is reported and the step fails
    after the other objects were loaded. The run holds the warehouse's run lock from here to
    its end (``run_lock``): a second run waits for it.
    """
    errors: list[str] = []
    for folder in unknown_folders(settings.landing_path):
        context.log.warning(
            f"{folder.parent.name}/{folder.name}/ matches no object of the extract contract and "
            "was not loaded. Rename it to a contract object (see README, extract contract) or "
            "move it out of the landing zone."
        )
    selected = [
        (contract, discover(settings.landing_path, contract))
        for contract in CONTRACTS
        if dg.AssetKey(contract.asset_key) in context.selected_asset_keys
    ]
    con = connect_work(settings.work_db)
    try:
        for contract, outcome in load_objects(
            con, selected, run_id=context.run.run_id, progress=context.log.info
        ):
            if isinstance(outcome, IngestError):
                context.log.error(str(outcome))
                errors.append(str(outcome))
                continue
            for f in outcome.files:
                if f.message:
                    context.log.warning(f"{f.batch.display}: {f.message}")
            context.log.info(
                f"{contract.source}.{contract.name}: {len(outcome.files)} batch file(s), "
                f"{outcome.count('loaded')} loaded, {outcome.count('skipped')} already loaded; "
                f"{outcome.rows_loaded} rows in, {outcome.rows_rejected} rejected; table holds "
                f"{outcome.table_rows} rows"
            )
            yield _result(contract, outcome, _column_schema(con, contract))
    finally:
        con.close()
    if errors:
        raise dg.Failure(
            description="\n".join(errors),
            metadata={"landing_dir": str(settings.landing_path), "failed_batches": len(errors)},
        )


ingest_assets = [ingest_extracts]
