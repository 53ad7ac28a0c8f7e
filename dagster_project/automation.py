"""Jobs, schedules and sensors: when the pipeline runs, and as of which day."""

import hashlib
import json
import time
from datetime import UTC, date, datetime, timedelta

import dagster as dg

from dagster_project.ingest.contract import CONTRACTS
from dagster_project.ingest.discover import discover, landing_fingerprint
from dagster_project.lib.batches import as_of_date
from dagster_project.resources import FunnelSettings

# One partition per as_of_date (SPEC 6): partition D builds and publishes the marts as of the
# end of day D, so a backfill over a range of days replays each of them. From the first day of
# the fiscal calendar (dbt var calendar_start_date) to tomorrow, UTC: today's partition is the
# day in progress, and a batch may be named by a day of a time zone ahead of UTC.
AS_OF_PARTITIONS = dg.DailyPartitionsDefinition(
    start_date="2018-02-01", end_offset=2, timezone="UTC"
)
# Why a run is as of its day, for the manifest: set by the launchers below, absent when a
# person picked the partition in the UI (a backfill).
AS_OF_SOURCE_TAG = "funnel/as_of_source"

# The schedule starts at 06:00 UTC, after the nightly extracts; BI tools can count on the
# published marts by 08:00. The UI shows an asset that misses this as failing its freshness.
SCHEDULE_CRON = "0 6 * * *"
PUBLISHED_FRESHNESS = dg.FreshnessPolicy.cron(
    deadline_cron="0 8 * * *", lower_bound_delta=timedelta(hours=2), timezone="UTC"
)


class NoSuchDay(ValueError):
    """An as_of_date outside the partitions: no run can be launched for it."""


def launch_as_of(settings: FunnelSettings, today: date | None = None) -> tuple[str, str]:
    """The partition (an as_of_date) a run launched now builds, and where the date came from:
    $FUNNEL_AS_OF_DATE, else the newest batch in the landing zone (SPEC 4.4), else today."""
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
    key = day.isoformat()
    keys = AS_OF_PARTITIONS.get_partition_keys()
    if not keys[0] <= key <= keys[-1]:
        raise NoSuchDay(
            f"as_of_date {key} ({source}) is outside the days a run can be as of: "
            f"{keys[0]} to {keys[-1]} (tomorrow, UTC). Set FUNNEL_AS_OF_DATE to a day in that "
            "range, or check the dates in the batch names of the landing zone."
        )
    return key, source


def today_utc(today: date | None = None) -> date:
    return today or datetime.now(UTC).date()


refresh_all_job = dg.define_asset_job(
    "refresh_all_job",
    selection=dg.AssetSelection.all(),
    description="Ingest new extract batches, dbt build, quality gate, publish.",
    # dagster.yaml limits runs with this tag to one at a time (they share one DuckDB file).
    tags={"funnel/warehouse": "work"},
)


@dg.schedule(
    name="daily_refresh_schedule",
    job=refresh_all_job,
    cron_schedule=SCHEDULE_CRON,
    execution_timezone="UTC",
    description="Daily refresh after the nightly CRM and marketing extracts, as of the newest "
    "batch's day.",
)
def daily_refresh_schedule(context: dg.ScheduleEvaluationContext):
    """A run as of the newest batch in the landing zone (its partition)."""
    try:
        key, source = launch_as_of(FunnelSettings())
    except NoSuchDay as err:
        return dg.SkipReason(str(err))
    return dg.RunRequest(partition_key=key, tags={AS_OF_SOURCE_TAG: source})


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
    try:
        key, source = launch_as_of(settings)
    except NoSuchDay as err:
        return dg.SkipReason(str(err))
    context.update_cursor(digest)
    return dg.RunRequest(run_key=digest, partition_key=key, tags={AS_OF_SOURCE_TAG: source})


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
