"""The run's day: one partition per as_of_date, the days the landing zone covers.

Every dbt and publish asset is partitioned by as_of_date: partition D builds and
publishes the marts as of the end of day D, and a backfill over a range of days replays each of
them. The partitions are the days from the first extract batch to the newest one (or from
``$FUNNEL_FIRST_AS_OF_DATE``, to replay days before the first extract from the CRM's history),
so the UI offers no day that no extract covers, and its latest partition is the newest landed
day. The launchers register new days before they start a run (``register_as_of_days``), and
``make ui`` registers them when it starts.
"""

from __future__ import annotations

import os
import sys
from datetime import date, timedelta

import dagster as dg

from dagster_project.ingest.contract import CONTRACTS
from dagster_project.ingest.discover import discover
from dagster_project.lib.batches import batch_date, days_from_to, partition_changes
from dagster_project.resources import FunnelSettings

AS_OF_PARTITIONS = dg.DynamicPartitionsDefinition(name="as_of_date")
# Why a run is as of its day, for the manifest: set by the launchers (schedule, sensor,
# `make run`), absent when a person picked the partition in the UI (a backfill).
AS_OF_SOURCE_TAG = "funnel/as_of_source"

# The schedule starts at 06:00 UTC, after the nightly extracts; BI tools can count on the
# published marts by 08:00. The UI shows an asset that misses this as failing its freshness.
PUBLISHED_FRESHNESS = dg.FreshnessPolicy.cron(
    deadline_cron="0 8 * * *", lower_bound_delta=timedelta(hours=2), timezone="UTC"
)


class NoSuchDay(ValueError):
    """An as_of_date no run can be launched for."""


def landed_days(settings: FunnelSettings) -> list[str]:
    """The days a run can be as of: from the first batch's day (or $FUNNEL_FIRST_AS_OF_DATE) to
    the newest batch's day in the landing zone; none while it holds no batch."""
    days = [
        d
        for contract in CONTRACTS
        for batch in discover(settings.landing_path, contract)
        if (d := batch_date(batch.batch)) is not None
    ]
    if not days:
        return []
    first = min(days)
    setting = os.environ.get("FUNNEL_FIRST_AS_OF_DATE")
    if setting:
        try:
            first = min(first, date.fromisoformat(setting))
        except ValueError:
            raise NoSuchDay(
                f"FUNNEL_FIRST_AS_OF_DATE={setting!r} is not a date: use YYYY-MM-DD."
            ) from None
    return days_from_to(first, max(days))


def register_as_of_days(instance: dg.DagsterInstance, days: list[str]) -> list[str]:
    """Add ``days`` to the instance's as_of_date partitions, keeping them in date order.
    Returns the days added."""
    name = AS_OF_PARTITIONS.name
    existing = list(instance.get_dynamic_partitions(name))
    to_delete, to_add = partition_changes(existing, days)
    for key in to_delete:
        instance.delete_dynamic_partition(name, key)
    if to_add:
        instance.add_dynamic_partitions(name, to_add)
    return [d for d in to_add if d not in existing]


def main(argv: list[str] | None = None) -> int:
    """``python -m dagster_project.partitions``: register the landed days (``make ui``).
    With ``--newest``: print the newest landed day instead (``make docs`` compiles as of it)."""
    if (argv if argv is not None else sys.argv[1:]) == ["--newest"]:
        days = landed_days(FunnelSettings())
        if not days:
            print(f"No extract batch in {FunnelSettings().landing_path}.", file=sys.stderr)
            return 2
        print(days[-1])
        return 0
    added = register_as_of_days(dg.DagsterInstance.get(), landed_days(FunnelSettings()))
    if added:
        print(f"as_of_date partitions: added {len(added)} day(s), {added[0]} to {added[-1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
