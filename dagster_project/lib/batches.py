"""Batch names and the run's clock (no Dagster imports)."""

from __future__ import annotations

import re
from datetime import date

_ISO_DATE = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})")


def batch_date(name: str) -> date | None:
    """The date a batch name starts with, in ISO 8601 basic or extended form, else None.

    ``20261113T235959Z`` and ``2026-11-13T23-59-59Z`` and ``2026-11-13`` give 2026-11-13.
    """
    m = _ISO_DATE.match(name)
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def as_of_date(batch_names: list[str], fallback: date | None = None) -> date | None:
    """The default as_of_date is the date of the newest extract batch."""
    dates = [d for d in (batch_date(n) for n in batch_names) if d is not None]
    return max(dates) if dates else fallback


def days_from_to(first: date, last: date) -> list[str]:
    """Every day from ``first`` to ``last``, both included, as YYYY-MM-DD."""
    return [date.fromordinal(n).isoformat() for n in range(first.toordinal(), last.toordinal() + 1)]


def partition_changes(existing: list[str], wanted: list[str]) -> tuple[list[str], list[str]]:
    """The keys to delete and then add so that the partitions are ``existing`` and ``wanted``
    together, in date order.

    Dagster lists dynamic partitions in the order they were added, and its UI offers the last
    one as the latest: a day earlier than the last one is put in its place by taking the later
    keys away and adding them back after it (a key's materialisations are kept by its name).
    """
    merged = sorted(set(existing) | set(wanted))
    keep = 0
    while keep < len(existing) and existing[keep] == merged[keep]:
        keep += 1
    return existing[keep:], merged[keep:]
