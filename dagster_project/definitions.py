"""The code location: assembles each stage's assets, checks, jobs, schedules and sensors."""

import shutil
import sys
from pathlib import Path

import dagster as dg

from dagster_project.automation import (
    daily_refresh_schedule,
    landing_zone_sensor,
    refresh_all_job,
    refresh_failure_sensor,
)
from dagster_project.ingest.assets import ingest_assets
from dagster_project.publish.assets import published_marts
from dagster_project.quality.checks import build_gx_checks
from dagster_project.quality.guards import publish_guards
from dagster_project.resources import FunnelSettings, WarehouseRunLock
from dagster_project.transform.assets import dbt_models
from dagster_project.transform.project import dbt_project
from dagster_project.transform.resource import FunnelDbtCliResource

# The dbt next to this interpreter, so that a run works without an activated virtualenv.
_venv_dbt = Path(sys.executable).with_name("dbt")
DBT_EXECUTABLE = str(_venv_dbt) if _venv_dbt.exists() else (shutil.which("dbt") or "dbt")

defs = dg.Definitions(
    assets=[*ingest_assets, dbt_models, published_marts],
    asset_checks=[*build_gx_checks(dbt_models), publish_guards],
    jobs=[refresh_all_job],
    schedules=[daily_refresh_schedule],
    sensors=[landing_zone_sensor, refresh_failure_sensor],
    resources={
        "dbt": FunnelDbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE),
        "settings": FunnelSettings(),
        "run_lock": WarehouseRunLock(),
    },
)
