"""Runs `make run` starts, created as the UI creates them: from workspace.yaml's code location.

A run made by ``JobDefinition.execute_in_process`` has no code-location origin, so the UI's
job Runs tab, the overview timeline and "re-execute" do not recognise it as the job they know.
Here the run is created with the same origin a UI launch gets (the location and repository
workspace.yaml names) and a reconstructable job pointing at the same module, then executed in
this process by the job's own (in-process) executor.
"""

from dataclasses import dataclass
from pathlib import Path

import dagster as dg
from dagster._core.definitions.reconstruct import ReconstructableJob, ReconstructableRepository
from dagster._core.execution.api import execute_run
from dagster._core.execution.execute_in_process import merge_run_tags
from dagster._core.remote_origin import RemoteJobOrigin, RemoteRepositoryOrigin
from dagster._core.workspace.load_target import WorkspaceFileTarget

REPO_ROOT = Path(__file__).resolve().parent.parent
WORKSPACE = REPO_ROOT / "workspace.yaml"
# The name Dagster gives the repository a `Definitions` object becomes.
REPOSITORY_NAME = "__repository__"
DEFINITIONS_ATTRIBUTE = "defs"


@dataclass(frozen=True)
class CodeLocation:
    """The code location workspace.yaml declares, as the UI loads it."""

    name: str
    module: str
    origin: object  # a CodeLocationOrigin

    @property
    def tags(self) -> dict[str, str]:
        """The tags the UI puts on runs it launches from this location."""
        return {
            ".dagster/repository": f"{REPOSITORY_NAME}@{self.name}",
            "dagster/code_location": self.name,
        }

    def remote_job_origin(self, job_name: str) -> RemoteJobOrigin:
        return RemoteJobOrigin(
            repository_origin=RemoteRepositoryOrigin(
                code_location_origin=self.origin, repository_name=REPOSITORY_NAME
            ),
            job_name=job_name,
        )

    def reconstructable_job(self, job_name: str) -> ReconstructableJob:
        return ReconstructableRepository.for_module(
            self.module, DEFINITIONS_ATTRIBUTE, working_directory=str(REPO_ROOT)
        ).get_reconstructable_job(job_name)


def workspace_location(workspace: Path = WORKSPACE) -> CodeLocation:
    """The one code location of workspace.yaml (a second one would make `make run` ambiguous)."""
    (origin,) = WorkspaceFileTarget(paths=[str(workspace)]).create_origins()
    return CodeLocation(
        name=origin.location_name,
        module=origin.loadable_target_origin.module_name,
        origin=origin,
    )


def execute_from_location(
    instance: dg.DagsterInstance,
    job: dg.JobDefinition,
    *,
    run_id: str,
    partition: str,
    tags: dict[str, str],
    run_config: dict,
):
    """Create the run with the workspace's origin, then execute it here; returns the result."""
    location = workspace_location()
    recon = location.reconstructable_job(job.name)
    # merge_run_tags is what execute_in_process uses: it checks the partition is registered
    # (failing before a run exists) and adds the partition's tags.
    run_tags = merge_run_tags(
        job_def=job,
        partition_key=partition,
        tags={**tags, **location.tags},
        asset_selection=None,
        instance=instance,
        run_config=run_config,
    )
    run = instance.create_run_for_job(
        job_def=job,
        run_id=run_id,
        run_config=run_config,
        tags=run_tags,
        remote_job_origin=location.remote_job_origin(job.name),
        job_code_origin=recon.get_python_origin(),
    )
    return execute_run(recon, run, instance, raise_on_error=False)
