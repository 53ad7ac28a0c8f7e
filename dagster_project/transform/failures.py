"""What failed in a dbt build, in words a person can act on (no Dagster imports).

dbt reports a failed test as "Got 3 results, configured to fail if != 0". The failing rows are
what says which record and which value are wrong, so the report re-runs each failed test's
compiled query (read-only, first rows only) and shows them next to the rule.
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
            message = " ".join((r.get("message") or "").split())[:400]
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
