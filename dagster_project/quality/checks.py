"""Great Expectations suites (``expectations/<model>.json``) as blocking asset checks.

GX runs on a pandas DataFrame read from DuckDB (its SQL data source is broken on duckdb 2.0,
see docs in the README). Large tables are validated on a reproducible sample; their keys and
totals are covered in full by dbt tests.
"""

import json
from concurrent.futures import ThreadPoolExecutor

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from dagster_project.lib.duck import connect_work
from dagster_project.lib.env import env_number
from dagster_project.lib.suites import load_suite_dict, outcome, suite_columns, suite_files
from dagster_project.resources import FunnelSettings
from dagster_project.transform.project import dbt_project

DEFAULT_MAX_ROWS = 100_000
LINEAGE_COLUMNS = ("source_batch", "source_row_number")


def _dataframe(
    settings: FunnelSettings, schema: str, table: str, max_rows: int, columns: list[str] | None
):
    """The rows to validate as a DataFrame: the suite's columns (and the lineage columns, which
    say where a bad row came from): all rows, or a reproducible sample of about ``max_rows``."""
    con = connect_work(settings.work_db, read_only=True)
    try:
        relation = f'{schema}."{table}"'
        present = [r[0] for r in con.execute(f"describe {relation}").fetchall()]
        if columns is None:
            wanted = present
        else:
            # A column the table lacks stays out of the select; GX then fails the expectation
            # that names it, which says more than a SQL error would.
            wanted = [c for c in (*columns, *LINEAGE_COLUMNS) if c in present]
            wanted = list(dict.fromkeys(wanted)) or present[:1]
        select = ", ".join(f'"{c}"' for c in wanted)
        total = con.execute(f"select count(*) from {relation}").fetchall()[0][0]
        sql = f"select {select} from {relation}"
        if total > max_rows:
            # Each row is kept with probability max_rows / total, seeded: about max_rows rows, the
            # same ones each time for the same table. A reservoir sample of exactly max_rows is
            # drawn on one thread and took 3x as long (0.69 against 0.23 s on the 1M-row leads
            # table at scale l); no suite checks the row count of what it is given.
            percent = 100.0 * max_rows / total
            sql += f" using sample bernoulli({percent:.6f} percent) repeatable (42)"
        return con.execute(sql).df(), int(total)
    finally:
        con.close()


def locate_rows(frame, expectation: str, kwargs: dict, result: dict, limit: int = 5) -> list[str]:
    """The extract batch and row of the first offending records of a failed column expectation.

    Staging models carry each row's lineage (source_batch, source_row_number), which is where a
    person has to look. GX can list unexpected rows by index columns itself, but it then builds
    the full list in Python (seconds for a sample with many unexpected rows), so the rows are
    found here from the unexpected values GX reports, and only for failed expectations.
    """
    column = kwargs.get("column")
    if not column or column not in frame.columns:
        return []
    if not all(c in frame.columns for c in LINEAGE_COLUMNS):
        return []
    if expectation == "expect_column_values_to_not_be_null":
        mask = frame[column].isna()
    else:
        values = result.get("partial_unexpected_list") or []
        if not values:
            return []
        mask = frame[column].isin(values)
    rows = frame.loc[mask, list(LINEAGE_COLUMNS)].sort_values(list(LINEAGE_COLUMNS)).head(limit)
    return [f"batch {b} row {n}" for b, n in rows.itertuples(index=False)]


def run_suite(suite_dict: dict, frame) -> list[dict]:
    """Validate a DataFrame against a suite; one dict per expectation result."""
    import great_expectations as gx  # imported here: it takes seconds to import
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    suite = context.suites.add(gx.ExpectationSuite(**suite_dict))
    source = context.data_sources.add_pandas(name="duckdb_frames")
    asset = source.add_dataframe_asset(name=suite_dict["name"])
    batch_def = asset.add_batch_definition_whole_dataframe("all_rows")
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(name=f"validate_{suite_dict['name']}", data=batch_def, suite=suite)
    )
    result = validation.run(
        batch_parameters={"dataframe": frame},
        result_format={"result_format": "SUMMARY", "partial_unexpected_count": 5},
    )
    out = []
    for r in result.results:
        cfg = r.expectation_config
        where = [] if r.success else locate_rows(frame, cfg.type, cfg.kwargs, r.result)
        out.append(
            {
                "expectation": cfg.type,
                "column": cfg.kwargs.get("column") or cfg.kwargs.get("column_list"),
                "severity": str(getattr(cfg.severity, "value", cfg.severity or "critical")).lower(),
                "success": bool(r.success),
                "observed": str(r.result.get("observed_value", r.result.get("unexpected_count")))[
                    :200
                ],
                "unexpected_sample": [
                    str(v) for v in (r.result.get("partial_unexpected_list") or [])[:5]
                ],
                "where": where,
            }
        )
    return out


def evaluate_suite(
    suite_dict: dict, frame, total: int
) -> tuple[bool, dg.AssetCheckSeverity, str, dict]:
    """Validate one model's rows (``frame``, read from a table of ``total`` rows); returns
    (passed, severity, description, metadata)."""
    results = run_suite(suite_dict, frame)
    passed, severity = outcome([(r["severity"], r["success"]) for r in results])
    failed = [r for r in results if not r["success"]]
    description = (
        "All expectations met."
        if passed
        else "; ".join(
            f"{r['severity']}: {r['expectation']}({r['column']}) observed {r['observed']}"
            + (f" at {', '.join(r['where'])}" if r["where"] else "")
            for r in failed
        )
    )
    metadata = {
        "rows_in_table": total,
        "rows_validated": len(frame),
        "expectations": len(results),
        "results": [
            f"{'met' if r['success'] else 'FAILED'} ({r['severity']}): {r['expectation']}"
            f"({r['column']}) observed {r['observed']}"
            for r in results
        ],
        "failed": [
            f"{r['severity']}: {r['expectation']} {r['column']} "
            f"observed={r['observed']} sample={r['unexpected_sample']} where={r['where']}"
            for r in failed
        ],
        "suite": f"expectations/{suite_dict['name']}.json",
    }
    sev = dg.AssetCheckSeverity.ERROR if severity == "ERROR" else dg.AssetCheckSeverity.WARN
    return passed, sev, description, metadata


def _expectation_phrase(expectation: dict) -> str:
    """``expect_column_values_to_be_between(win_rate_count, 0..1) [critical]``."""
    kwargs = expectation.get("kwargs", {})
    target = (
        kwargs.get("column")
        or kwargs.get("column_list")
        or (f"{kwargs.get('column_A')} vs {kwargs.get('column_B')}" if "column_A" in kwargs else "")
    )
    bounds = ""
    if "min_value" in kwargs or "max_value" in kwargs:
        bounds = f", {kwargs.get('min_value', '')}..{kwargs.get('max_value', '')}"
    return f"{expectation['type']}({target}{bounds}) [{expectation.get('severity', 'critical')}]"


def build_gx_checks(dbt_assets_def: dg.AssetsDefinition) -> list[dg.AssetChecksDefinition]:
    """One blocking check per suite file, attached to the dbt model the suite is named after,
    all evaluated in one step (GX takes seconds to import; one process pays it once)."""
    manifest = json.loads(dbt_project.manifest_path.read_text())
    schemas = {
        n["name"]: n["schema"] for n in manifest["nodes"].values() if n["resource_type"] == "model"
    }
    suites = {}
    specs = []
    for model, path in suite_files().items():
        if model not in schemas:
            raise ValueError(f"expectations/{path.name} names no dbt model called {model}")
        suite_dict = load_suite_dict(path)
        key = get_asset_key_for_model([dbt_assets_def], model)
        suites[dg.AssetCheckKey(key, f"gx_{model}")] = (model, schemas[model], suite_dict)
        specs.append(
            dg.AssetCheckSpec(
                f"gx_{model}",
                asset=key,
                blocking=True,
                description=(
                    f"Great Expectations suite expectations/{path.name} on "
                    f"{schemas[model]}.{model}: "
                    + "; ".join(_expectation_phrase(e) for e in suite_dict["expectations"])
                    + ". A failed critical expectation blocks publishing; a failed warning is "
                    "reported in the UI and the manifest."
                ),
            )
        )

    @dg.multi_asset_check(name="great_expectations", specs=specs, can_subset=True, pool="duckdb")
    def great_expectations(context: dg.AssetCheckExecutionContext, settings: FunnelSettings):
        """Validate each gated model's table with its Great Expectations suite."""
        max_rows = env_number("FUNNEL_GX_MAX_ROWS", DEFAULT_MAX_ROWS, kind=int, unit="rows")
        blocking: list[str] = []
        keys = sorted(context.selected_asset_check_keys, key=str)
        # The tables are read on a second thread while GX validates in this one: DuckDB lets go
        # of the GIL while it reads. At scale l the 17 reads took 1.6 s and the validations
        # 1.5 s, one after the other.
        reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gx-reader")
        reads = [
            reader.submit(_dataframe, settings, schema, model, max_rows, suite_columns(suite_dict))
            for model, schema, suite_dict in (suites[k] for k in keys)
        ]
        try:
            for check_key, read in zip(keys, reads, strict=True):
                model, _, suite_dict = suites[check_key]
                frame, total = read.result()
                passed, severity, description, metadata = evaluate_suite(suite_dict, frame, total)
                context.log.info(f"gx_{model}: {'passed' if passed else description}")
                if not passed and severity == dg.AssetCheckSeverity.ERROR:
                    blocking.append(f"gx_{model} (expectations/{model}.json): {description}")
                yield dg.AssetCheckResult(
                    asset_key=check_key.asset_key,
                    check_name=check_key.name,
                    passed=passed,
                    severity=severity,
                    description=description,
                    metadata=metadata,
                )
        finally:
            reader.shutdown(wait=True, cancel_futures=True)
        if blocking:
            # Fail the step with the rules and rows themselves, so the run's first error says
            # what is wrong rather than only that a check failed.
            raise dg.Failure(
                description="Quality gate failed; nothing was published.\n" + "\n".join(blocking)
            )

    return [great_expectations]
