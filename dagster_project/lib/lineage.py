"""Following a column back to the extract columns it comes from (no Dagster imports).

The dbt step records each model's column lineage (``column_lineage.json`` in the run's dbt
target): ``{"marts/mart_apm": {"value": ["intermediate/int_apm__snapshot_measures.acv_corp",
...]}}``, one level at a time. Walking it down to keys with no lineage of their own (the ingest
assets, ``crm/opportunity``, and the lookup seeds) gives what an analyst asks: which extract
columns feed this number.
"""

from __future__ import annotations


def split_ref(ref: str) -> tuple[str, str]:
    """``"crm/opportunity.acv_c"`` -> ``("crm/opportunity", "acv_c")``."""
    key, _, column = ref.rpartition(".")
    return key, column


def to_sources(lineage: dict[str, dict[str, list[str]]], key: str, column: str) -> list[str]:
    """The columns without lineage of their own (extracts, lookup tables) that ``column`` of
    ``key`` is computed from, as ``"crm/opportunity.acv_c"``, sorted."""
    found: set[str] = set()
    seen: set[tuple[str, str]] = set()
    stack = [(key, column)]
    while stack:
        k, c = stack.pop()
        if (k, c) in seen:
            continue
        seen.add((k, c))
        if k not in lineage:
            found.add(f"{k}.{c}")
            continue
        stack.extend(split_ref(ref) for ref in lineage[k].get(c, []))
    return sorted(found)
