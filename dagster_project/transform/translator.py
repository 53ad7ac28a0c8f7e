"""How dbt nodes appear in Dagster: groups follow the dbt folders (staging, intermediate, marts)."""

from __future__ import annotations

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


class FolderGroupTranslator(DagsterDbtTranslator):
    def __init__(self) -> None:
        # dbt tests become asset checks: error severity blocks downstream steps in the same run.
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return group_for(dbt_resource_props) or super().get_group_name(dbt_resource_props)

    def get_asset_spec(self, manifest, unique_id, project) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        if spec.group_name == "marts":
            # The marts are published together: they share the published set's freshness.
            spec = dg.apply_freshness_policy(spec, PUBLISHED_FRESHNESS)
        return spec
