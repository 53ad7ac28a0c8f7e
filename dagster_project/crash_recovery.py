"""What a run killed outright (SIGKILL, out of memory, a reboot) leaves behind, cleared.

- Its run stays "started" in the run history and keeps its hold on the `duckdb` concurrency
  pool, so no step of a later run would ever start: a run whose process is gone is marked
  failed, with the reason, and whatever it held is released (``release_dead_runs``).
- A publish cut short leaves temporary files, or a swap half done: it is finished or undone
  (``publish.recover_interrupted_publish``).

Every launcher calls ``recover_after_crash`` before it starts a run (`make run`, the schedule,
the landing-zone sensor, whose ticks also cover runs launched from the UI). The warehouse needs
nothing more: DuckDB recovers its file from its write-ahead log, and the next run loads and
builds what the dead one did not.
"""

from __future__ import annotations

import socket

import dagster as dg

from dagster_project.lib.processes import process_alive
from dagster_project.publish.publish import recover_interrupted_publish
from dagster_project.resources import FunnelSettings

# Set by `make run` (dagster_project/run.py): its runs execute in its own process.
HOST_TAG = "funnel/host"
POOL = "duckdb"
_ACTIVE = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]


def _run_worker_pid(instance: dg.DagsterInstance, run_id: str) -> int | None:
    """The process that executes the run: the one that reported its start."""
    records = instance.all_logs(run_id, of_type=dg.DagsterEventType.RUN_START)
    return records[0].dagster_event.pid if records and records[0].dagster_event else None


def _local(instance: dg.DagsterInstance, run: dg.DagsterRun) -> bool:
    """Whether the run's process would be on this machine: a `make run` from here, or a run
    launched by Dagster's default launcher (a process beside the code server). Runs of other
    launchers (Kubernetes, Docker, ...) are left to Dagster's run monitoring."""
    host = run.tags.get(HOST_TAG)
    if host is not None:
        return host == socket.gethostname()
    return isinstance(instance.run_launcher, dg.DefaultRunLauncher)


def release_dead_runs(instance: dg.DagsterInstance) -> list[str]:
    """Mark failed every active run whose process is gone, and free the concurrency slots of
    runs that have ended. Returns one sentence per run released."""
    said = []
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=_ACTIVE)):
        if not _local(instance, run):
            continue
        pid = _run_worker_pid(instance, run.run_id)
        if pid is None or process_alive(pid):
            # not started yet (Dagster's start timeout covers those), or still working
            continue
        message = (
            f"The process running this run (PID {pid}) is gone: it was killed, ran out of "
            "memory or the machine restarted. Marked failed so that the next run can start; "
            "the published marts were not changed by it."
        )
        instance.report_run_failed(run, message)
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        said.append(
            f"run {run.run_id} of {run.job_name} was left unfinished by PID {pid}, which is "
            "gone: marked failed and its hold on the warehouse released"
        )
    info = instance.event_log_storage.get_concurrency_info(POOL)
    holders = {s.run_id for s in info.claimed_slots} | {s.run_id for s in info.pending_steps}
    for run_id in holders:
        run = instance.get_run_by_id(run_id)
        if run is None or run.is_finished:
            instance.event_log_storage.free_concurrency_slots_for_run(run_id)
    return said


def recover_after_crash(instance: dg.DagsterInstance, settings: FunnelSettings) -> list[str]:
    """``release_dead_runs``, then the published files put right. Returns what was done."""
    said = release_dead_runs(instance)
    published = recover_interrupted_publish(settings.published_path)
    if published:
        said.append(f"published files in {settings.published_path}: {published}")
    return said
