"""A broken mart contract and a changed incremental mart are reported with the columns that
differ and what to do (dagster_project/transform/failures.py): plain tests on dbt's messages,
and a real dbt build of a copy of the project whose contract was changed."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from dagster_project.transform.failures import advice, contract_mismatches, describe_dbt_failures

REPO = Path(__file__).resolve().parents[1]

# dbt 1.11's messages, as run_results.json holds them (traceback lines cut).
CONTRACT_MESSAGE = """Compilation Error in model dim_user (models/marts/core/dim_user.sql)
  This model has an enforced contract that failed.
  Please ensure the name, data_type, and number of columns in your contract match the columns in your model's definition.

  | column_name | definition_type | contract_type | mismatch_reason       |
  | ----------- | --------------- | ------------- | --------------------- |
  | is_active   | BOOLEAN         | INTEGER       | data type mismatch    |
  | region      | VARCHAR         |               | missing in contract   |
  | team        |                 | VARCHAR       | missing in definition |

  > in macro assert_columns_equivalent (macros/relations/column/columns_spec_ddl.sql)"""  # noqa: E501

SCHEMA_MESSAGE = """Compilation Error in model fct_funnel_stage_event (models/marts/funnel/fct_funnel_stage_event.sql)

                The source and target schemas on this incremental model are out of sync!
                They can be reconciled in several ways:
                  - set the `on_schema_change` config to either append_new_columns or sync_all_columns, depending on your situation.
                  - Re-run the incremental model with `full_refresh: True` to update the target schema.
                  - update the schema manually and re-run the process.

                Additional troubleshooting context:
                   Source columns not in target: []
                   Target columns not in source: []
                   New column types: [{'column_name': 'cycle_no', 'new_type': 'INTEGER'}]
  > in macro default__process_schema_changes"""  # noqa: E501


def test_contract_mismatches_name_each_column():
    assert contract_mismatches(CONTRACT_MESSAGE) == [
        "is_active is BOOLEAN in the model, INTEGER in the contract (data type mismatch)",
        "region is in the model, not in the contract",
        "team is in the contract, not in the model",
    ]


def test_advice_for_a_contract_names_the_yaml_and_the_columns():
    node = {"patch_path": "revenue_funnel://models/marts/core/_core__models.yml"}
    said = advice(CONTRACT_MESSAGE, node)
    assert said is not None
    assert "models/marts/core/_core__models.yml" in said
    assert "is_active is BOOLEAN in the model, INTEGER in the contract" in said


def test_advice_for_changed_incremental_columns_says_rebuild():
    said = advice(SCHEMA_MESSAGE, {})
    assert said is not None
    assert "'cycle_no', 'new_type': 'INTEGER'" in said
    assert "FUNNEL_FULL_REFRESH=1" in said
    assert "on_schema_change" not in said  # dbt's advice to change the config is not ours


def test_other_failures_get_no_advice():
    assert advice("Runtime Error in model x: Conversion Error: could not cast", {}) is None


def test_a_broken_contract_fails_the_build_and_is_reported(tmp_path):
    """A real dbt build: the copy's dim_date contract says fiscal_year is text."""
    project = tmp_path / "dbt"
    shutil.copytree(
        REPO / "dbt", project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages")
    )
    yml = project / "models" / "marts" / "core" / "_core__models.yml"
    text = yml.read_text()
    declared = "      - name: fiscal_year\n        data_type: integer\n"
    assert text.count(declared) == 1
    yml.write_text(text.replace(declared, declared.replace("integer", "varchar")))

    target = tmp_path / "target"
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    dbt = Path(sys.executable).with_name("dbt")
    done = subprocess.run(
        [str(dbt), "build", "--select", "+dim_date", "--exclude-resource-type", "unit_test",
         "--vars", "{as_of_date: 2026-11-13}", "--target-path", str(target)],
        cwd=project, capture_output=True, text=True,
        env={**_env(), "FUNNEL_WAREHOUSE_DIR": str(warehouse)},
    )  # fmt: skip
    assert done.returncode != 0, done.stdout[-2000:]
    lines = describe_dbt_failures(target, warehouse / "work.duckdb")
    assert len(lines) == 1, lines
    assert lines[0].startswith("dbt model dim_date (models/marts/core/dim_date.sql): ")
    assert "fiscal_year is INTEGER in the model, VARCHAR in the contract" in lines[0]
    assert "models/marts/core/_core__models.yml" in lines[0]
    # dbt checks the contract before it builds: no dim_date table was made
    con = duckdb.connect(str(warehouse / "work.duckdb"), read_only=True)
    tables = con.execute("select table_name from information_schema.tables").fetchall()
    built = {r[0] for r in tables}
    con.close()
    assert "int_days_spined" in built and "dim_date" not in built


def _env() -> dict[str, str]:
    """This process's environment without settings of ours that a developer may have set."""
    return {k: v for k, v in os.environ.items() if not k.startswith("FUNNEL_")}
