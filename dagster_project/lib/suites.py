"""Great Expectations suites kept as JSON files (no Dagster imports, no GX import at load)."""

from __future__ import annotations

import json
from pathlib import Path

EXPECTATIONS_DIR = Path(__file__).resolve().parents[2] / "expectations"
SEVERITIES = ("critical", "warning", "info")


def suite_files(directory: Path = EXPECTATIONS_DIR) -> dict[str, Path]:
    """Model name -> suite file; a suite is named after the model it gates."""
    return {p.stem: p for p in sorted(Path(directory).glob("*.json"))}


def load_suite_dict(path: Path) -> dict:
    """Read and sanity-check a suite: a name equal to the file name and a severity on every
    expectation, so that a typo fails loudly at load time instead of gating nothing."""
    data = json.loads(Path(path).read_text())
    if data.get("name") != Path(path).stem:
        raise ValueError(f"{path}: suite name {data.get('name')!r} must equal the file name")
    for i, exp in enumerate(data.get("expectations", [])):
        if exp.get("severity", "critical") not in SEVERITIES:
            raise ValueError(f"{path}: expectation {i} has severity {exp.get('severity')!r}")
        if "type" not in exp or "kwargs" not in exp:
            raise ValueError(f"{path}: expectation {i} needs 'type' and 'kwargs'")
    if not data.get("expectations"):
        raise ValueError(f"{path}: the suite has no expectations")
    return data


# Expectation arguments that name columns (column-level and column-pair expectations).
_COLUMN_KWARGS = ("column", "column_A", "column_B")
_COLUMN_LIST_KWARGS = ("column_list", "column_set")


def suite_columns(suite_dict: dict) -> list[str] | None:
    """The columns a suite's expectations read, in first-use order; None when it needs them all.

    Validating reads only these columns from DuckDB: a wide model's other columns would be
    decompressed and turned into pandas for nothing. A table-level expectation, or one with a
    row condition (which can name any column), needs every column.
    """
    columns: list[str] = []
    for exp in suite_dict["expectations"]:
        kwargs = exp["kwargs"]
        if not exp["type"].startswith(
            ("expect_column", "expect_compound_columns", "expect_multicolumn")
        ):
            return None
        if kwargs.get("row_condition"):
            return None
        named = [kwargs[k] for k in _COLUMN_KWARGS if k in kwargs]
        for k in _COLUMN_LIST_KWARGS:
            named += list(kwargs.get(k) or [])
        columns += [c for c in named if c not in columns]
    return columns


def outcome(results: list[tuple[str, bool]]) -> tuple[bool, str]:
    """Check outcome from (severity, success) pairs: (passed, 'ERROR' | 'WARN')."""
    failed = [sev for sev, ok in results if not ok]
    if "critical" in failed:
        return False, "ERROR"
    if failed:
        return False, "WARN"
    return True, "WARN"
