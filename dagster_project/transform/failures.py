"""What failed in a dbt build, in words a person can act on (no Dagster imports).

dbt reports a failed test as "Got 3 results, configured to fail if != 0". The failing rows are
what says which record and which value are wrong, so the report re-runs each failed test's
compiled query (read-only, first rows only) and shows them next to the rule. A mart that broke its
contract (the columns BI tools read) or an incremental model whose columns changed gets the
columns that differ and what to do, instead of dbt's generic advice.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

MAX_ROWS = 5


def _rows(con: duckdb.DuckDBPyConnection | None, sql: str | None) -> str:
    if con is None or not sql:
        return ""
    try:
        cur = con.execute(f"select * from ({sql}) as failing limit {MAX_ROWS}")
        names = [d[0] for d in cur.description]
        rows = cur.fetchall()
    except duckdb.Error:
        return ""
    return "; ".join(
        "{" + ", ".join(f"{n}: {v}" for n, v in zip(names, row, strict=True)) + "}" for row in rows
    )


CONTRACT_FAILED = "has an enforced contract that failed"
SCHEMA_CHANGED = "schemas on this incremental model are out of sync"


def contract_mismatches(message: str) -> list[str]:
    """The rows of dbt's contract mismatch table, one phrase per column."""
    phrases = []
    for line in message.splitlines():
        line = line.strip()
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) != 4 or cells[0] == "column_name" or not cells[0].strip("-"):
            continue
        column, model_type, contract_type, reason = cells
        if not model_type:
            phrases.append(f"{column} is in the contract, not in the model")
        elif not contract_type:
            phrases.append(f"{column} is in the model, not in the contract")
        else:
            phrases.append(
                f"{column} is {model_type} in the model, {contract_type} in the contract ({reason})"
            )
    return phrases


def advice(message: str, node: dict) -> str | None:
    """What to do about a failure whose cause we recognise; None for any other failure."""
    if CONTRACT_FAILED in message:
        where = (node.get("patch_path") or "").split("://")[-1] or "the model's YAML"
        found = "; ".join(contract_mismatches(message)) or "see the dbt log for the columns"
        return (
            f"its columns differ from its contract in {where}: {found}. BI tools read these "
            "columns: fix the model, or change the contract (data_type, the column list) on "
            "purpose and tell the people who read the mart"
        )
    if SCHEMA_CHANGED in message:
        changes = [
            " ".join(line.split())
            for line in message.splitlines()
            if line.strip().startswith(("Source columns", "Target columns", "New column types"))
        ]
        return (
            "its columns changed since the table was built ("
            + "; ".join(changes)
            + "). Rebuild it once: FUNNEL_FULL_REFRESH=1 make run (or the run tag "
            "funnel/full_refresh=true)"
        )
    return None


def describe_dbt_failures(target_dir: Path, work_db: Path) -> list[str]:
    """One line per failed or errored node of the dbt invocation written to ``target_dir``."""
    results_path = Path(target_dir) / "run_results.json"
    if not results_path.exists():
        return []
    results = json.loads(results_path.read_text())["results"]
    failed = [r for r in results if r.get("status") in ("fail", "error", "runtime error")]
    if not failed:
        return []
    manifest_path = Path(target_dir) / "manifest.json"
    nodes = json.loads(manifest_path.read_text())["nodes"] if manifest_path.exists() else {}
    con = duckdb.connect(str(work_db), read_only=True) if Path(work_db).exists() else None
    try:
        lines = []
        for r in failed:
            uid = r["unique_id"]
            node = nodes.get(uid, {})
            kind = uid.split(".")[0]
            name = node.get("name") or uid.split(".")[-1]
            where = node.get("original_file_path", "")
            raw = r.get("message") or ""
            message = advice(raw, node) or " ".join(raw.split())[:400]
            line = f"dbt {kind} {name} ({where}): {message}"
            if kind == "test" and r.get("status") == "fail":
                rows = _rows(con, r.get("compiled_code"))
                if rows:
                    line += f". First failing rows: {rows}"
            lines.append(line)
        return lines
    finally:
        if con is not None:
            con.close()


def warned_test_rows(target_dir: Path, work_db: Path) -> dict[str, str]:
    """Test name -> its first failing rows, for every test of the dbt invocation written to
    ``target_dir`` that warned (dagster-dbt reports a warning without its rows)."""
    results_path = Path(target_dir) / "run_results.json"
    if not results_path.exists() or not Path(work_db).exists():
        return {}
    warned = [
        r for r in json.loads(results_path.read_text())["results"] if r.get("status") == "warn"
    ]
    if not warned:
        return {}
    con = duckdb.connect(str(work_db), read_only=True)
    try:
        return {
            r["unique_id"].split(".")[2]: " ".join((r.get("message") or "").split())
            + (
                f". First failing rows: {rows}"
                if (rows := _rows(con, r.get("compiled_code")))
                else ""
            )
            for r in warned
        }
    finally:
        con.close()
