"""One Dagster asset per extract object: landing files -> typed raw table in the work warehouse.

Asset keys equal the dbt source keys (``["crm", "opportunity"]``), so the asset graph joins the
ingest step to the staging models without a mapping.
"""

import dagster as dg
import duckdb

from dagster_project.ingest.contract import CONTRACTS, ObjectContract
from dagster_project.ingest.discover import discover
from dagster_project.ingest.load import IngestError, load_object
from dagster_project.resources import FunnelSettings

REJECTS_CHECK = "no_rejected_rows"


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


def build_ingest_asset(contract: ObjectContract) -> dg.AssetsDefinition:
    key = dg.AssetKey(contract.asset_key)
    required = ", ".join(contract.required) or "none"

    @dg.asset(
        key=key,
        group_name="ingest",
        pool="duckdb",
        kinds={"duckdb", "python"},
        description=(
            f"{contract.description} Loads every new batch of "
            f"`{contract.source}/<{contract.name}>/` into `{contract.source}.{contract.table}` "
            f"(kind: {contract.kind}; key: {', '.join(contract.key)}; required columns: "
            f"{required}). Rows that break the contract go to `ingest.rejects` with the reason; "
            "files already in `ingest.load_log` (same checksum) are skipped."
        ),
        check_specs=[
            dg.AssetCheckSpec(
                REJECTS_CHECK,
                asset=key,
                description="Warns when this run rejected rows of this object "
                "(see ingest.rejects).",
            )
        ],
        metadata={"dagster/table_name": f"work.{contract.source}.{contract.table}"},
    )
    def _ingest(context: dg.AssetExecutionContext, settings: FunnelSettings):
        """Load new extract batches of one object into its raw table."""
        batches = discover(settings.landing_path, contract)
        context.log.info(
            f"{contract.source}.{contract.name}: {len(batches)} batch file(s) in "
            f"{settings.landing_path / contract.source}"
        )
        con = duckdb.connect(str(settings.work_db))
        try:
            try:
                summary = load_object(
                    con, contract, batches, run_id=context.run.run_id, progress=context.log.info
                )
            except IngestError as err:
                raise dg.Failure(
                    description=str(err),
                    metadata={"object": f"{contract.source}.{contract.name}"},
                ) from err
            schema = _column_schema(con, contract)
        finally:
            con.close()
        context.log.info(
            f"{contract.source}.{contract.name}: {summary.count('loaded')} loaded, "
            f"{summary.count('skipped')} already loaded; {summary.rows_loaded} rows in, "
            f"{summary.rows_rejected} rejected; table holds {summary.table_rows} rows"
        )
        reasons = {reason: n for reason, n in summary.reject_reasons}
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": summary.table_rows,
                "dagster/column_schema": schema,
                "batches_loaded": summary.count("loaded"),
                "batches_skipped": summary.count("skipped"),
                "rows_loaded": summary.rows_loaded,
                "rows_rejected": summary.rows_rejected,
            },
            check_results=[
                dg.AssetCheckResult(
                    check_name=REJECTS_CHECK,
                    passed=summary.rows_rejected == 0,
                    severity=dg.AssetCheckSeverity.WARN,
                    description=(
                        "No rows rejected."
                        if summary.rows_rejected == 0
                        else f"{summary.rows_rejected} rows rejected; query ingest.rejects "
                        f"where object = '{contract.name}' for the rows and reasons."
                    ),
                    metadata={"rows_rejected": summary.rows_rejected, "reasons": reasons},
                )
            ],
        )

    return _ingest


ingest_assets = [build_ingest_asset(c) for c in CONTRACTS]
