"""The dbt project, on its own so `dagster-dbt project prepare-and-package` can load it."""

from pathlib import Path

from dagster_dbt import DbtProject

DBT_DIR = Path(__file__).resolve().parents[2] / "dbt"

dbt_project = DbtProject(project_dir=DBT_DIR, profiles_dir=DBT_DIR)
# Under `dagster dev` this parses the project when the code location loads; tests and `make`
# run `dbt parse` first.
dbt_project.prepare_if_dev()
