"""How dbt nodes appear in Dagster: groups follow the dbt folders (staging, intermediate, marts)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

from dagster_project.partitions import PUBLISHED_FRESHNESS


def group_for(resource_props: Mapping[str, Any]) -> str | None:
    """``models/marts/core/dim_date.sql`` -> ``marts``; seeds -> ``lookup``."""
    if resource_props.get("resource_type") == "seed":
        return "lookup"
    fqn = resource_props.get("fqn") or []
    if resource_props.get("resource_type") == "model" and len(fqn) > 2:
        return fqn[1]
    return None


def describe_test(test: Mapping[str, Any]) -> str:
    """What a dbt test checks, in a sentence, for its asset check in the UI: a singular test's
    own description, or a generic test's rule and arguments."""
    if test.get("description"):
        return test["description"]
    meta = test.get("test_metadata") or {}
    kwargs = meta.get("kwargs") or {}
    column = kwargs.get("column_name")
    where = f"`{column}`" if column else "the rows"
    blocking = "warns" if (test.get("config") or {}).get("severity") == "warn" else "blocks"
    rules = {
        "not_null": f"{where} is never null",
        "unique": f"{where} is unique",
        "accepted_values": f"{where} is one of {kwargs.get('values')}",
        "relationships": (
            f"every {where} exists in {_ref_name(kwargs.get('to'))}.{kwargs.get('field')}"
        ),
        "within_range": (
            f"{where} lies within [{kwargs.get('min_value', '-inf')}, "
            f"{kwargs.get('max_value', 'inf')}]"
        ),
        "unique_combination": f"each combination of {kwargs.get('columns')} occurs once",
    }
    rule = rules.get(meta.get("name"), f"{meta.get('name', test.get('name'))} holds")
    return f"dbt test: {rule}; a failure {blocking} what is downstream."


def _ref_name(to: str | None) -> str:
    """``{{ get_where_subquery(ref('dim_account')) }}`` -> ``dim_account``."""
    if not to:
        return "?"
    found = re.search(r"ref\(['\"]([^'\"]+)['\"]\)", to)
    return found.group(1) if found else to


class FolderGroupTranslator(DagsterDbtTranslator):
    def __init__(self) -> None:
        # dbt tests become asset checks: error severity blocks downstream steps in the same run.
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return group_for(dbt_resource_props) or super().get_group_name(dbt_resource_props)

    def get_asset_check_spec(self, asset_spec, manifest, unique_id, project):
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        test = manifest["nodes"].get(unique_id)
        if spec is None or test is None or spec.description:
            return spec
        return spec._replace(description=describe_test(test))

    def get_asset_spec(self, manifest, unique_id, project) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        if spec.group_name == "marts":
            # The marts are published together: they share the published set's freshness.
            spec = dg.apply_freshness_policy(spec, PUBLISHED_FRESHNESS)
        return spec
