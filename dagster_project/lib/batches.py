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
    """SPEC 4.4: the default as_of_date is the date of the newest extract batch."""
    dates = [d for d in (batch_date(n) for n in batch_names) if d is not None]
    return max(dates) if dates else fallback
