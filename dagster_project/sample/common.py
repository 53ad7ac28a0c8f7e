"""The simulated business's calendar, scale presets, parameters and the helpers the
simulation modules share (ids, times, fiscal quarters, versioned state tables)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

END_DATE = np.datetime64("2026-11-13")  # the last day the extracts cover
INCREMENTAL_DAYS = 14  # daily batches after the full extract
HISTORY_DAYS = 3 * 365 + 1
START = END_DATE - np.timedelta64(HISTORY_DAYS - 1, "D")
HORIZON = float(HISTORY_DAYS)  # events at or after this time have not happened yet
FULL_CUTOFF_DAY = HISTORY_DAYS - INCREMENTAL_DAYS  # days [0, cutoff) are in the full extract
FY_START_MONTH = 2
MQL_SCORE_THRESHOLD = 100


@dataclass(frozen=True)
class Scale:
    people: int
    users: int
    accounts: int


SCALES = {
    "xs": Scale(people=800, users=30, accounts=150),
    "s": Scale(people=4_000, users=60, accounts=600),
    "m": Scale(people=100_000, users=400, accounts=12_000),
    "l": Scale(people=1_000_000, users=2_500, accounts=100_000),
}

REGIONS = {
    "AMER": (["United States", "Canada", "Brazil"], [0.75, 0.15, 0.10]),
    "EMEA": (["United Kingdom", "Germany", "France", "Netherlands"], [0.35, 0.30, 0.2, 0.15]),
    "APAC": (["Japan", "Australia", "Singapore"], [0.45, 0.35, 0.20]),
}
REGION_WEIGHTS = {"AMER": 0.5, "EMEA": 0.32, "APAC": 0.18}
COUNTRY_CURRENCY = {
    "United Kingdom": "GBP",
    "Germany": "EUR",
    "France": "EUR",
    "Netherlands": "EUR",
    "Japan": "JPY",
}
BASE_RATES = {"USD": 1.0, "EUR": 0.92, "GBP": 0.79, "JPY": 149.0}
SEGMENTS = ["Enterprise", "Mid-Market", "SMB"]
INDUSTRIES = [
    "Software",
    "Financial Services",
    "Healthcare",
    "Manufacturing",
    "Retail",
    "Media",
    "Education",
]
PRODUCT_FAMILIES = ["Platform", "Analytics", "Automation", "Integrations", "Services"]

# lead source: (share of leads, p engaged, p mql | engaged, p sal | mql, p sql | sal)
SOURCE_FUNNEL = {
    "Web": (0.25, 0.75, 0.25, 0.70, 0.45),
    "Paid Search": (0.15, 0.65, 0.18, 0.65, 0.35),
    "Webinar": (0.12, 0.85, 0.28, 0.65, 0.40),
    "Event": (0.10, 0.80, 0.30, 0.70, 0.45),
    "Content Syndication": (0.13, 0.60, 0.12, 0.55, 0.30),
    "Outbound": (0.17, 0.45, 0.22, 0.80, 0.45),
    "Partner": (0.08, 0.70, 0.35, 0.75, 0.55),
}
# segment: (multiplier on p sql | sal and on win rate, multiplier on lags, mean deal size USD)
SEGMENT_FACTORS = {
    "Enterprise": (1.15, 1.5, 120_000.0),
    "Mid-Market": (1.00, 1.0, 40_000.0),
    "SMB": (0.85, 0.7, 12_000.0),
}
# mean lag in days between funnel hops (before the segment factor)
LAG_DAYS = {"engaged": 6.0, "mql": 12.0, "sal": 3.0, "sql": 9.0}
P_SKIP_SAL = 0.12  # reach SQL without an accepted status
P_SKIP_ENGAGED = 0.08  # score crosses the MQL threshold without a campaign response
P_RECYCLE = 0.40  # of MQLs that sales does not accept
P_REMQL = 0.35  # of recycled leads, later re-qualified (a second funnel cycle)
P_QUALIFY = 0.80  # opportunity reaches the qualified band (Discovery)

# name, sort order, band, forecast category (Salesforce picklist), probability %, closed, won
STAGES = [
    ("Prospecting", 1, "0-prospecting", "Pipeline", 10, False, False),
    ("Discovery", 2, "1-qualified", "Pipeline", 20, False, False),
    ("Solution", 3, "2-solution", "Best Case", 40, False, False),
    ("Proposal", 4, "3-proposal", "Best Case", 60, False, False),
    ("Negotiation", 5, "4-commit", "Commit", 80, False, False),
    ("Closed Won", 6, "5-closed", "Closed", 100, True, True),
    ("Closed Lost", 7, "5-closed", "Omitted", 0, True, False),
    ("Closed - Duplicate", 8, "9-excluded", "Omitted", 0, True, False),
]
WON, LOST, DUPLICATE = 5, 6, 7  # indexes into STAGES of the terminal stages
# Share of all opportunities by pipeline source (the sourcing role). Inbound lead conversions
# are the SDR share and fix the total; outbound conversions count towards BDR, and the rest
# of every role's share is sales-sourced deals on existing accounts.
PIPELINE_SOURCE_SHARES = {
    "AE": 0.52,
    "BDR": 0.24,
    "SDR": 0.15,
    "ECS": 0.05,
    "Cloud Sales": 0.03,
    "Partner": 0.01,
}
USER_ROLES = {
    "AE": 0.40,
    "BDR": 0.20,
    "SDR": 0.15,
    "ECS": 0.10,
    "Cloud Sales": 0.10,
    "Manager": 0.05,
}
CAMPAIGN_STRATEGIES = {
    "Brand": ["Advertisement", "Content Syndication"],
    "Demand Generation": ["Email", "Webinar", "Paid Search"],
    "Events": ["Trade Show", "Event"],
    "ABM": ["Direct Mail", "Account Email"],
    "Digital": ["Web", "Paid Social"],
}
SOURCE_TACTIC = {
    "Web": "Web",
    "Paid Search": "Paid Search",
    "Webinar": "Webinar",
    "Event": "Trade Show",
    "Content Syndication": "Content Syndication",
    "Outbound": "Account Email",
    "Partner": "Event",
}
MEMBER_STATUSES = {  # campaign type -> [(label, responded)], the first is the default
    "Webinar": [("Registered", False), ("Attended", True), ("On Demand", True)],
    "Trade Show": [("Invited", False), ("Visited Booth", True), ("Attended", True)],
    "Event": [("Invited", False), ("Attended", True)],
}
DEFAULT_MEMBER_STATUSES = [("Sent", False), ("Responded", True), ("Clicked", True)]


@dataclass
class Table:
    """One extract object: its rows and, per row, the batch it belongs to (0 = full extract)."""

    source: str
    object_name: str  # landing folder name
    frame: pd.DataFrame
    timestamp_cols: list[str] = field(default_factory=list)
    date_cols: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- helpers


def batch_of(t: np.ndarray) -> np.ndarray:
    """Batch number for event times: 0 for the full extract, 1..14 for the daily batches."""
    day = np.floor(t).astype(np.int64)
    return np.where(day < FULL_CUTOFF_DAY, 0, day - FULL_CUTOFF_DAY + 1)


def to_ts(t: np.ndarray) -> np.ndarray:
    """Float days since START -> datetime64[s] (NaN -> NaT)."""
    secs = np.round(np.asarray(t, dtype=float) * 86400.0)
    out = np.full(secs.shape, np.datetime64("NaT"), dtype="datetime64[s]")
    ok = ~np.isnan(secs)
    out[ok] = START.astype("datetime64[s]") + secs[ok].astype(np.int64).astype("timedelta64[s]")
    return out


def to_date(t: np.ndarray) -> np.ndarray:
    return to_ts(t).astype("datetime64[D]")


def ids(prefix: str, n: int, start: int = 0) -> np.ndarray:
    """Salesforce-looking 18-character ids: 3-character prefix + zero-padded number."""
    nums = pd.Series(np.arange(start, start + n)).astype(str).str.zfill(15)
    return (prefix + nums).to_numpy()


def choice(rng, options, n, p=None):
    return np.asarray(options, dtype=object)[rng.choice(len(options), size=n, p=p)]


def fiscal_quarter_starts() -> np.ndarray:
    """Start days (float, since START) of every fiscal quarter touching the history + 2 more."""
    first = np.datetime64(f"{int(str(START)[:4]) - 1}-{FY_START_MONTH:02d}", "M")
    months = first + np.arange(0, 12 * 6, 3)
    days = (months.astype("datetime64[D]") - START).astype(float)
    keep = (days > -92) & (days < HORIZON + 190)
    return days[keep]


def quarter_end_of(t: np.ndarray, q_starts: np.ndarray) -> np.ndarray:
    idx = np.searchsorted(q_starts, t, side="right")
    return q_starts[np.minimum(idx, len(q_starts) - 1)]


def fiscal_label(day: float) -> str:
    d = (START + np.timedelta64(int(day), "D")).astype(object)
    offset = (d.month - FY_START_MONTH) % 12
    fy = d.year + (1 if d.month >= FY_START_MONTH else 0)
    return f"FY{fy}-Q{offset // 3 + 1}"


# --------------------------------------------------------------------------- simulation


def versions_of(ev: pd.DataFrame, key: str) -> pd.DataFrame:
    """Record versions as the extracts see them: the state at the full extract's cutoff, then
    the state at the end of each later day on which the record changed.

    ``ev`` holds one row per event with the state after it, sorted by key and time ``t``.
    """
    ev = ev.assign(_batch=batch_of(ev.t.to_numpy()))
    return ev.groupby([key, "_batch"], sort=False).tail(1)


def deletions_of(rng, versions: pd.DataFrame, key: str, share: float) -> pd.DataFrame:
    """Re-emit a few records untouched since the full extract as deleted in a daily batch."""
    last = versions.groupby(key, sort=False).tail(1)
    pool = last[last._batch == 0]
    pick = pool[rng.random(len(pool)) < share].copy()
    day = rng.integers(FULL_CUTOFF_DAY, HISTORY_DAYS, len(pick))
    pick["t"] = day + rng.uniform(0.3, 0.9, len(pick))
    pick["_batch"] = batch_of(pick.t.to_numpy())
    pick["IsDeleted"] = True
    return pick


def state_table(source, name, frame, ts_cols, date_cols=()) -> Table:
    return Table(source, name, frame, list(ts_cols), list(date_cols))
