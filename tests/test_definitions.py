"""The Dagster code location loads and is wired as designed."""

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def repo(dbt_manifest):
    from dagster_project.definitions import defs

    return defs.get_repository_def()


def test_jobs_schedules_sensors(repo):
    assert {j.name for j in repo.get_all_jobs()} >= {"refresh_all_job"}
    assert {s.name for s in repo.schedule_defs} == {"daily_refresh_schedule"}
    assert {s.name for s in repo.sensor_defs} == {"landing_zone_sensor", "refresh_failure_sensor"}


def test_groups_and_descriptions(repo):
    from dagster_project.ingest.contract import CONTRACTS

    specs = [s for a in repo.assets_defs_by_key.values() for s in a.specs]
    groups = {s.group_name for s in specs}
    assert groups == {"ingest", "lookup", "staging", "intermediate", "marts", "publish"}
    for spec in specs:
        assert spec.description, f"{spec.key} has no description for the UI"
    keys = {s.key.to_user_string() for s in specs}
    for c in CONTRACTS:
        assert f"{c.source}/{c.name}" in keys
    # the ingest asset is the dbt source: lineage joins without a mapping
    stg = next(s for s in specs if s.key.path[-1] == "stg_crm__opportunities")
    assert any(d.asset_key.path == ["crm", "opportunity"] for d in stg.deps)


def test_runs_are_partitioned_by_as_of_date_and_marts_have_a_freshness_policy(repo):
    """SPEC 6: a partition per as_of_date, the days the landing zone covers (a backfill replays
    each day in a run of its own), and the published marts are expected by 08:00 UTC."""
    import dagster as dg

    from dagster_project.partitions import AS_OF_PARTITIONS, PUBLISHED_FRESHNESS

    job = repo.get_job("refresh_all_job")
    assert job.partitions_def == AS_OF_PARTITIONS
    by_key = {}
    for assets_def in repo.assets_defs_by_key.values():
        for spec in assets_def.specs:
            by_key[spec.key] = (spec, assets_def)
    for spec, assets_def in by_key.values():
        if spec.group_name == "ingest":
            # loading what landed does not depend on the day: every run loads new batches
            assert spec.partitions_def is None, spec.key
            continue
        assert spec.partitions_def == AS_OF_PARTITIONS, spec.key
        assert assets_def.backfill_policy == dg.BackfillPolicy.multi_run(1), spec.key
        if spec.group_name in ("marts", "publish"):
            assert spec.freshness_policy == PUBLISHED_FRESHNESS, spec.key
        else:
            assert spec.freshness_policy is None, spec.key


def test_every_mart_shows_its_column_types_in_the_ui(repo):
    """The marts' contracts declare each column's type; dagster-dbt shows it in the asset's
    column schema (else "?"), without fetching anything from the warehouse."""
    specs = {s.key: s for a in repo.assets_defs_by_key.values() for s in a.specs}
    marts = [s for s in specs.values() if s.group_name == "marts"]
    assert len(marts) == 29
    for spec in marts:
        schema = spec.metadata["dagster/column_schema"]
        assert schema.columns, spec.key
        assert all(c.type != "?" for c in schema.columns), spec.key


def test_quality_checks_are_blocking(repo):
    specs = {
        spec.name: spec
        for defn in repo.asset_checks_defs_by_key.values()
        for spec in defn.check_specs
    }
    for name in ["gx_stg_crm__opportunities", "gx_stg_crm__leads",
                 "gx_stg_crm__campaign_members", "gx_dim_date"]:  # fmt: skip
        assert specs[name].blocking, name


def test_one_step_per_stage(repo):
    """Ingest and GX each run as one step (one process, one DuckDB writer), not one per asset."""
    ingest = {a for a in repo.assets_defs_by_key.values() if a.node_def.name == "ingest_extracts"}
    assert len(ingest) == 1 and len(next(iter(ingest)).keys) == 25
    gx = {
        d for d in repo.asset_checks_defs_by_key.values() if d.node_def.name == "great_expectations"
    }
    assert len(gx) == 1


def test_the_dbt_resource_knows_dbts_version_without_asking_it(dbt_manifest):
    """The version comes from the installed dbt-core instead of a `dbt --version` subprocess;
    it must be the version that dagster-dbt's own check (which runs that subprocess) reports."""
    from dagster_dbt import DbtCliResource

    from dagster_project.definitions import defs

    resource = defs.resources["dbt"]
    # The override still replaces something: dagster-dbt has this cached property.
    assert "_cli_version" in vars(DbtCliResource)
    asked = DbtCliResource._cli_version.func(resource)
    assert resource._cli_version == asked


def test_no_dbt_adapter_is_built_in_the_step(dbt_manifest):
    """dagster-dbt builds a dbt adapter before each run only for its own metadata fetches,
    which this project does not use (transform/metadata.py reads it after dbt exits)."""
    from dagster_project.definitions import defs

    assert defs.resources["dbt"]._initialize_dbt_core_adapter(["build"]) is None


def test_every_check_says_what_it_checks(dbt_manifest):
    """Analysts read a check's description in the UI: the dbt tests say their rule, the Great
    Expectations checks list their expectations."""
    from dagster_project.definitions import defs

    repo = defs.get_repository_def()
    specs = {s.key: s for a in repo.assets_defs_by_key.values() for s in a.check_specs}
    specs.update({s.key: s for c in repo.asset_checks_defs_by_key.values() for s in c.check_specs})
    assert len(specs) > 200
    for key, spec in specs.items():
        assert spec.description and len(spec.description) > 20, key
    by_name = {k.name: s.description for k, s in specs.items()}
    assert by_name["not_null_dim_account_account_id"].startswith("dbt test: `account_id` is never")
    assert (
        "expect_column_values_to_be_between(win_rate_count, 0..1) [critical]"
        in (by_name["gx_mart_apm_kpi"])
    )


def test_make_runs_carry_the_code_location_of_the_workspace():
    """`make run` creates its runs from the code location workspace.yaml declares, with the
    repository label and location tags a UI launch carries, so the UI lists them together."""
    import yaml

    from dagster_project.origin import workspace_location

    (declared,) = yaml.safe_load((REPO / "workspace.yaml").read_text())["load_from"]
    module = declared["python_module"]["module_name"]
    name = declared["python_module"].get("location_name", module)
    location = workspace_location()
    assert (location.name, location.module) == (name, module)
    assert location.tags == {
        ".dagster/repository": f"__repository__@{name}",
        "dagster/code_location": name,
    }
    origin = location.remote_job_origin("refresh_all_job")
    assert origin.location_name == name
    assert origin.repository_origin.repository_name == "__repository__"
    job = location.reconstructable_job("refresh_all_job")
    assert job.get_definition().name == "refresh_all_job"


def test_an_unexpected_error_in_a_step_is_told_by_its_own_type_and_first_line():
    """The summary names the exception raised inside the step, not Dagster's wrapper."""
    from dagster._utils.error import SerializableErrorInfo

    from dagster_project.run import _cause

    inner = SerializableErrorInfo(
        "BinderException: Binder Error: Parameter count mismatch\nLINE 1: select ...\n",
        stack=["  File ..."],
        cls_name="BinderException",
    )
    wrapper = SerializableErrorInfo(
        "dagster._core.errors.DagsterExecutionStepExecutionError: Error occurred while "
        'executing op "published_marts":\n',
        stack=["  File ..."],
        cls_name="DagsterExecutionStepExecutionError",
        cause=inner,
    )
    assert _cause(wrapper) == "BinderException: Binder Error: Parameter count mismatch"
