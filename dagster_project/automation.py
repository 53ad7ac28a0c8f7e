"""Jobs, schedules and sensors: when the pipeline runs, and as of which day."""

import hashlib
import json
import time
from datetime import UTC, date, datetime, timedelta

import dagster as dg

from dagster_project.crash_recovery import recover_after_crash
from dagster_project.ingest.contract import CONTRACTS
from dagster_project.ingest.discover import discover, landing_fingerprint
from dagster_project.lib.batches import as_of_date
from dagster_project.partitions import (
    AS_OF_SOURCE_TAG,
    NoSuchDay,
    landed_days,
    register_as_of_days,
)
from dagster_project.resources import FunnelSettings

# The fiscal calendar's first day (dbt var calendar_start_date): no run can be as of a day before.
CALENDAR_START = date(2018, 2, 1)

# The schedule starts at 06:00 UTC, after the nightly extracts (PUBLISHED_FRESHNESS: by 08:00).
SCHEDULE_CRON = "0 6 * * *"


def launch_as_of(settings: FunnelSettings, today: date | None = None) -> tuple[str, str]:
    """The partition (an as_of_date) a run launched now builds, and where the date came from:
    $FUNNEL_AS_OF_DATE, else the newest batch in the landing zone, else today."""
    if settings.as_of_override:
        try:
            day, source = date.fromisoformat(settings.as_of_override), "FUNNEL_AS_OF_DATE"
        except ValueError:
            raise NoSuchDay(
                f"FUNNEL_AS_OF_DATE={settings.as_of_override!r} is not a date: use YYYY-MM-DD."
            ) from None
    else:
        names = [b.batch for c in CONTRACTS for b in discover(settings.landing_path, c)]
        newest = as_of_date(names)
        day, source = (newest, "newest batch") if newest else (today_utc(today), "today")
    last = today_utc(today) + timedelta(days=1)
    if not CALENDAR_START <= day <= last:
        raise NoSuchDay(
            f"as_of_date {day} ({source}) is outside the days a run can be as of: "
            f"{CALENDAR_START} to {last} (tomorrow, UTC). Set FUNNEL_AS_OF_DATE to a day in that "
            "range, or check the dates in the batch names of the landing zone."
        )
    return day.isoformat(), source


def launch_partition(
    instance: dg.DagsterInstance, settings: FunnelSettings, today: date | None = None
) -> tuple[str, str]:
    """``launch_as_of``, with the landed days and the run's own day registered as partitions
    (a run needs its partition to exist)."""
    key, source = launch_as_of(settings, today)
    register_as_of_days(instance, [*landed_days(settings), key])
    return key, source


def today_utc(today: date | None = None) -> date:
    return today or datetime.now(UTC).date()


refresh_all_job = dg.define_asset_job(
    "refresh_all_job",
    selection=dg.AssetSelection.all(),
    description="Ingest new extract batches, dbt build, quality gate, publish.",
    # dagster.yaml limits runs with this tag to one at a time (they share one DuckDB file).
    tags={"funnel/warehouse": "work"},
    # The steps take turns on one DuckDB file anyway (pool "duckdb", one at a time), so one
    # process runs them all: a process per step spent 40-50 s starting up in every UI run.
    executor_def=dg.in_process_executor,
)


@dg.schedule(
    name="daily_refresh_schedule",
    job=refresh_all_job,
    cron_schedule=SCHEDULE_CRON,
    execution_timezone="UTC",
    # On as shipped: `make ui` (or dagster-daemon) starts the daily run; turn it off in the UI.
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Daily refresh after the nightly CRM and marketing extracts, as of the newest "
    "batch's day.",
)
def daily_refresh_schedule(context: dg.ScheduleEvaluationContext):
    """A run as of the newest batch in the landing zone (its partition)."""
    for said in recover_after_crash(context.instance, FunnelSettings()):
        context.log.warning(said)
    try:
        key, source = launch_partition(context.instance, FunnelSettings())
    except NoSuchDay as err:
        return dg.SkipReason(str(err))
    return dg.RunRequest(partition_key=key, tags={AS_OF_SOURCE_TAG: source})


@dg.sensor(
    job=refresh_all_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts a refresh when a complete new batch lands. Temporary and hidden files are "
    "ignored, and a file counts only once it has not changed for FUNNEL_SETTLE_SECONDS (default "
    "30), so a file still being written never starts a run.",
)
def landing_zone_sensor(context: dg.SensorEvaluationContext):
    """Compare the landing zone's settled files (name, size, mtime) with the last ones seen.
    Each tick also clears what a killed run left (crash_recovery.py), so a run launched from the
    UI never waits behind a run whose process is gone."""
    settings = FunnelSettings()
    for said in recover_after_crash(context.instance, settings):
        context.log.warning(said)
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
    try:
        key, source = launch_partition(context.instance, settings)
    except NoSuchDay as err:
        return dg.SkipReason(str(err))
    context.update_cursor(digest)
    return dg.RunRequest(run_key=digest, partition_key=key, tags={AS_OF_SOURCE_TAG: source})


@dg.run_failure_sensor(
    name="refresh_failure_sensor",
    monitored_jobs=[refresh_all_job],
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Reports a failed refresh: the published marts were left as they were.",
)
def refresh_failure_sensor(context: dg.RunFailureSensorContext):
    """Log the failing step and message; plug a notifier (Slack, e-mail) in here."""
    context.log.error(
        f"Run {context.dagster_run.run_id} of {context.dagster_run.job_name} failed: "
        f"{context.failure_event.message}. Published marts were not changed."
    )
