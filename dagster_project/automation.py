"""Jobs, schedules and sensors: when the pipeline runs."""

import hashlib
import json
import time

import dagster as dg

from dagster_project.ingest.discover import landing_fingerprint
from dagster_project.resources import FunnelSettings

refresh_all_job = dg.define_asset_job(
    "refresh_all_job",
    selection=dg.AssetSelection.all(),
    description="Ingest new extract batches, dbt build, quality gate, publish.",
    # dagster.yaml limits runs with this tag to one at a time (they share one DuckDB file).
    tags={"funnel/warehouse": "work"},
)

daily_refresh_schedule = dg.ScheduleDefinition(
    name="daily_refresh_schedule",
    job=refresh_all_job,
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
    description="Daily refresh after the nightly CRM and marketing extracts.",
)


@dg.sensor(
    job=refresh_all_job,
    minimum_interval_seconds=60,
    description="Starts a refresh when a complete new batch lands. Temporary and hidden files are "
    "ignored, and a file counts only once it has not changed for FUNNEL_SETTLE_SECONDS (default "
    "30), so a file still being written never starts a run.",
)
def landing_zone_sensor(context: dg.SensorEvaluationContext):
    """Compare the landing zone's settled files (name, size, mtime) with the last ones seen."""
    settings = FunnelSettings()
    fingerprint, unsettled = landing_fingerprint(
        settings.landing_path, time.time() - settings.settle_seconds
    )
    if unsettled:
        # The run would read every file in the zone, the growing one too: wait for it.
        return dg.SkipReason(
            f"Waiting for {len(unsettled)} file(s) still being written: {', '.join(unsettled[:5])}."
        )
    digest = hashlib.sha256(json.dumps(fingerprint).encode()).hexdigest()
    if digest == context.cursor:
        return dg.SkipReason(f"No new complete batch in {settings.landing_path}.")
    context.update_cursor(digest)
    return dg.RunRequest(run_key=digest)


@dg.run_failure_sensor(
    name="refresh_failure_sensor",
    monitored_jobs=[refresh_all_job],
    description="Reports a failed refresh: the published marts were left as they were.",
)
def refresh_failure_sensor(context: dg.RunFailureSensorContext):
    """Log the failing step and message; plug a notifier (Slack, e-mail) in here."""
    context.log.error(
        f"Run {context.dagster_run.run_id} of {context.dagster_run.job_name} failed: "
        f"{context.failure_event.message}. Published marts were not changed."
    )
