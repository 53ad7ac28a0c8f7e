"""Simulate a B2B revenue business and return its extracts as tables (vectorised with numpy).

The simulation covers three years ending on ``END_DATE``. People move through the funnel
(anonymous visit -> known -> engaged -> MQL -> SAL -> SQL -> opportunity -> closed) with hop
probabilities and lags that depend on lead source and segment (``SOURCE_FUNNEL``,
``SEGMENT_FACTORS``); opportunities move through stages with pushes, amount changes and
end-of-quarter closing. Every change is an event with a time, so the writer can cut a full extract
and daily incremental batches from the same truth. All randomness comes from one seeded generator:
the same scale and seed give the same files.

Times are floats: days since ``START`` (UTC). Nothing here touches the wall clock.
"""

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
WON, LOST, DUPLICATE = 5, 6, 7
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


def generate(scale: str, seed: int) -> list[Table]:
    """Simulate the business at a scale preset; returns every extract object as a Table."""
    sc = SCALES[scale]
    rng = np.random.default_rng(seed)
    q_starts = fiscal_quarter_starts()
    tables: list[Table] = []

    users, roles = _users(rng, sc)
    accounts = _accounts(rng, sc, users)
    rates = _dated_rates(rng)
    campaigns, tactic_index = _campaigns(rng, q_starts)
    people = _people(rng, sc, accounts)
    a = people.account.to_numpy()
    people["account_id"] = accounts.Id.to_numpy()[a]
    people["country"] = accounts.BillingCountry.to_numpy()[a]
    people["industry"] = accounts.Industry.to_numpy()[a]
    people["employees"] = accounts.NumberOfEmployees.to_numpy()[a]
    people["region"] = accounts.Region__c.to_numpy()[a]
    _assign_campaigns(people, tactic_index, q_starts)
    lead_events = _lead_events(rng, people)
    opps, opp_events = _opportunities(rng, people, accounts, users, rates, q_starts)
    products, line_items = _products_and_lines(rng, opps)

    tables += [roles, _state_table("crm", "User", users.drop(columns=["_region"]), ["CreatedDate"])]
    tables.append(_accounts_table(rng, accounts))
    tables += _lead_tables(rng, people, lead_events, opps)
    tables += _contact_tables(rng, people, accounts, opps)
    tables += _opportunity_tables(rng, opps, opp_events)
    tables += [products, line_items]
    tables += _campaign_tables(rng, campaigns, tactic_index, people, q_starts)
    tables += _marketing_tables(rng, people, tactic_index, q_starts)
    tables += _activity_tables(rng, opps, people)
    tables += _reference_tables(rates, users, opps, people, q_starts)
    return tables


def _users(rng, sc: Scale):
    n = sc.users
    role = choice(rng, list(USER_ROLES), n, list(USER_ROLES.values()))
    role[:6] = ["AE", "BDR", "SDR", "ECS", "Cloud Sales", "Manager"]  # every role exists
    region = choice(rng, list(REGION_WEIGHTS), n, list(REGION_WEIGHTS.values()))
    region[:3] = ["AMER", "EMEA", "APAC"]
    role_names = (
        ["CRO"]
        + [f"{r} VP" for r in REGION_WEIGHTS]
        + [
            f"{r} {x}"
            for r in REGION_WEIGHTS
            for x in ["AE", "BDR", "SDR", "ECS", "Cloud Sales", "Manager"]
        ]
    )
    role_ids = ids("00E", len(role_names))
    parent = [None] + [role_ids[0]] * 3 + [role_ids[1 + i] for i in range(3) for _ in range(6)]
    roles = pd.DataFrame({"Id": role_ids, "Name": role_names, "ParentRoleId": parent})
    role_lookup = dict(zip(role_names, role_ids, strict=True))
    user_ids = ids("005", n)
    managers = {r: user_ids[(role == "Manager") & (region == r)] for r in REGION_WEIGHTS}
    manager = [managers[g][0] if len(managers[g]) else None for g in region]
    created = rng.uniform(-400, 200, n)
    users = pd.DataFrame(
        {
            "Id": user_ids,
            "Name": [f"User {i:05d}" for i in range(n)],
            "IsActive": rng.random(n) > 0.05,
            "UserRoleId": [role_lookup[f"{g} {r}"] for g, r in zip(region, role, strict=True)],
            "ManagerId": [m if m != u else None for m, u in zip(manager, user_ids, strict=True)],
            "Sales_Role__c": role,
            "Region__c": region,
            "CreatedDate": to_ts(created),
            "SystemModstamp": to_ts(created + 1),
            "_batch": 0,
            "_region": region,
        }
    )
    return users, Table("crm", "UserRole", roles.assign(_batch=0))


def _accounts(rng, sc: Scale, users: pd.DataFrame) -> pd.DataFrame:
    n = sc.accounts
    region = choice(rng, list(REGION_WEIGHTS), n, list(REGION_WEIGHTS.values()))
    country = np.empty(n, dtype=object)
    for r, (countries, weights) in REGIONS.items():
        m = region == r
        country[m] = choice(rng, countries, int(m.sum()), weights)
    employees = np.round(np.exp(rng.normal(5.5, 1.8, n))).astype(np.int64) + 5
    segment = np.where(
        employees >= 2000, "Enterprise", np.where(employees >= 200, "Mid-Market", "SMB")
    )
    aes = users[users.Sales_Role__c == "AE"]
    owner = np.empty(n, dtype=object)
    for r in REGION_WEIGHTS:
        m = region == r
        pool = aes.Id[aes._region == r].to_numpy()
        pool = pool if len(pool) else aes.Id.to_numpy()
        owner[m] = pool[rng.integers(0, len(pool), int(m.sum()))]
    created = rng.uniform(-700, HORIZON - 30, n)
    currency = np.array([COUNTRY_CURRENCY.get(c, "USD") for c in country], dtype=object)
    return pd.DataFrame(
        {
            "Id": ids("001", n),
            "Name": [f"Company {i:06d}" for i in range(n)],
            "Industry": choice(rng, INDUSTRIES, n),
            "Type": np.where(rng.random(n) < 0.35, "Customer", "Prospect"),
            "BillingCountry": country,
            "NumberOfEmployees": employees,
            "AnnualRevenue": np.round(employees * rng.uniform(80_000, 250_000, n), -3),
            "OwnerId": owner,
            # 5% of accounts lack the custom segment field: the employee-band seed fills it in.
            "Segment__c": np.where(rng.random(n) < 0.05, None, segment),
            "Region__c": region,
            "CreatedDate": to_ts(created),
            "_segment": segment,
            "_currency": currency,
            "_created": created,
        }
    )


def _dated_rates(rng) -> pd.DataFrame:
    """Monthly dated rates from a year before the history to six months after the extract."""
    months = np.arange(
        np.datetime64(str(START)[:7], "M") - 12, np.datetime64(str(END_DATE)[:7], "M") + 7
    )
    rows = []
    for iso, base in BASE_RATES.items():
        if iso == "USD":
            walk = np.ones(len(months))
        else:
            walk = base * np.exp(np.cumsum(rng.normal(0, 0.012, len(months))))
        for i, m in enumerate(months):
            nxt = months[i + 1].astype("datetime64[D]") if i + 1 < len(months) else None
            rows.append((iso, round(float(walk[i]), 6), m.astype("datetime64[D]"), nxt))
    return pd.DataFrame(rows, columns=["IsoCode", "ConversionRate", "StartDate", "NextStartDate"])


def _rate_at(rates: pd.DataFrame, iso: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Dated rate valid on the date of each time t, per currency (vectorised lookup)."""
    out = np.ones(len(iso))
    day = to_date(t)
    for cur in BASE_RATES:
        m = iso == cur
        if not m.any():
            continue
        r = rates[rates.IsoCode == cur]
        starts = r.StartDate.to_numpy().astype("datetime64[D]")
        idx = np.clip(np.searchsorted(starts, day[m], side="right") - 1, 0, len(r) - 1)
        out[m] = r.ConversionRate.to_numpy()[idx]
    return out


def _campaigns(rng, q_starts: np.ndarray):
    """Strategy -> programme (one per strategy and fiscal quarter) -> tactic (one per type)."""
    rows = []
    tactic_index: dict[tuple[int, str], str] = {}
    n = 0

    def add(name, parent, ctype, start, end, budget):
        nonlocal n
        cid = f"701{n:015d}"
        n += 1
        actual = round(budget * float(rng.uniform(0.7, 1.15)), 2) if start < HORIZON else 0.0
        rows.append((cid, name, parent, ctype, start, end, budget, actual))
        return cid

    for strategy, tactics in CAMPAIGN_STRATEGIES.items():
        sid = add(strategy, None, "Strategy", q_starts[0], q_starts[-1] - 1, 0.0)
        for qi, qs in enumerate(q_starts[:-1]):
            label = fiscal_label(qs)
            pid = add(f"{strategy} {label}", sid, "Programme", qs, q_starts[qi + 1] - 1, 0.0)
            for ttype in tactics:
                budget = round(float(rng.uniform(5_000, 60_000)), -2)
                tid = add(f"{ttype} {label}", pid, ttype, qs, q_starts[qi + 1] - 1, budget)
                tactic_index[(qi, ttype)] = tid
    frame = pd.DataFrame(
        rows,
        columns=["Id", "Name", "ParentId", "Type", "_start", "_end", "BudgetedCost", "ActualCost"],
    )
    return frame, tactic_index


def _people(rng, sc: Scale, accounts: pd.DataFrame) -> pd.DataFrame:
    """Every person's funnel path: stage times (NaN = not reached by the extract date)."""
    n = sc.people
    src_names = list(SOURCE_FUNNEL)
    src_p = np.array([v[0] for v in SOURCE_FUNNEL.values()])
    src = rng.choice(len(src_names), size=n, p=src_p / src_p.sum())
    hop = np.array([v[1:] for v in SOURCE_FUNNEL.values()])[src]  # n x 4
    acct = rng.integers(0, len(accounts), n)
    seg = accounts._segment.to_numpy()[acct]
    seg_conv = np.array([SEGMENT_FACTORS[s][0] for s in seg])
    seg_lag = np.array([SEGMENT_FACTORS[s][1] for s in seg])
    # Growth: later months bring more people (sqrt-shaped arrival times).
    known = HORIZON * np.sqrt(rng.uniform(0.0, 1.0, n)) * 0.999
    known = np.maximum(known, rng.uniform(0, 5, n))

    def lag(key):
        return rng.exponential(LAG_DAYS[key], n) * seg_lag + 0.02

    u = rng.random((n, 6))
    engaged_ok = u[:, 0] < hop[:, 0]
    skip_engaged = u[:, 5] < P_SKIP_ENGAGED
    mql_ok = (engaged_ok | skip_engaged) & (u[:, 1] < hop[:, 1])
    sal_ok = mql_ok & (u[:, 2] < hop[:, 2])
    sql_ok = sal_ok & (u[:, 3] < np.minimum(hop[:, 3] * seg_conv, 0.95))
    engaged = np.where(engaged_ok & ~skip_engaged, known + lag("engaged"), np.nan)
    mql = np.where(mql_ok, np.fmax(known, np.nan_to_num(engaged, nan=0.0)) + lag("mql"), np.nan)
    sal = np.where(sal_ok, mql + lag("sal"), np.nan)
    sql = np.where(sql_ok, sal + lag("sql"), np.nan)
    skip_sal = sql_ok & (rng.random(n) < P_SKIP_SAL)
    sal = np.where(skip_sal, np.nan, sal)
    # Recycling: MQLs not accepted go back to nurture; some re-qualify in a second cycle.
    recycled = mql_ok & ~sal_ok & (rng.random(n) < P_RECYCLE)
    recycle_at = np.where(recycled, mql + rng.uniform(10, 30, n), np.nan)
    remql = recycled & (rng.random(n) < P_REMQL)
    remql_at = np.where(remql, recycle_at + rng.uniform(45, 200, n), np.nan)
    resal_at = np.where(remql & (rng.random(n) < 0.5), remql_at + lag("sal"), np.nan)
    disq = sal_ok & ~sql_ok
    disq_at = np.where(disq, sal + rng.uniform(7, 30, n), np.nan)
    anonymous = np.where(rng.random(n) < 0.65, known - rng.exponential(12, n) - 0.01, np.nan)
    anonymous = np.where(anonymous < 0, np.nan, anonymous)

    def censor(t):
        return np.where(t < HORIZON, t, np.nan)

    frame = pd.DataFrame(
        {
            "lead_source": np.asarray(src_names, dtype=object)[src],
            "account": acct,
            "segment": seg,
            "anonymous": censor(anonymous),
            "known": known,
            "engaged": censor(engaged),
            "mql": censor(mql),
            "sal": censor(sal),
            "sql": censor(sql),
            "recycle": censor(recycle_at),
            "remql": censor(remql_at),
            "resal": censor(resal_at),
            "disqualified": censor(disq_at),
        }
    )
    # A stage after a censored one has not happened either.
    for later, earlier in [
        ("sal", "mql"),
        ("sql", "mql"),
        ("recycle", "mql"),
        ("remql", "recycle"),
        ("resal", "remql"),
        ("disqualified", "sal"),
    ]:
        frame.loc[frame[earlier].isna(), later] = np.nan
    frame.loc[frame.sal.isna() & frame.sql.isna(), "disqualified"] = np.nan
    frame["lead_id"] = ids("00Q", n)
    frame["prospect_id"] = pd.Series(np.arange(n) + 1_000_000).astype(str).to_numpy()
    frame["email"] = [f"person{i:07d}@company{a:06d}.example" for i, a in enumerate(acct)]
    return frame


def _lead_events(rng, people: pd.DataFrame) -> pd.DataFrame:
    """Lead status changes as events (person index, time, new status)."""
    parts = []
    for col, status, offset in [
        ("known", "New", 0.007),
        ("engaged", "Nurture", 0.0),
        ("mql", "MQL", 0.0),
        ("sal", "Working", 0.0),
        ("sql", "Qualified", 0.0),
        ("recycle", "Recycled", 0.0),
        ("remql", "MQL", 0.0),
        ("resal", "Working", 0.0),
        ("disqualified", "Disqualified", 0.0),
    ]:
        t = people[col].to_numpy() + offset
        m = ~np.isnan(t)
        parts.append(pd.DataFrame({"person": np.nonzero(m)[0], "t": t[m], "status": status}))
    ev = pd.concat(parts, ignore_index=True).sort_values(["person", "t"], kind="stable")
    ev["old_status"] = ev.groupby("person").status.shift()
    return ev.reset_index(drop=True)


def _opportunities(rng, people, accounts, users, rates, q_starts):
    """Opportunities from converted leads plus sales-sourced ones; their stage events."""
    conv = people.index[people.sql.notna()].to_numpy()
    n_lead = len(conv)
    outbound = people.lead_source.to_numpy()[conv] == "Outbound"
    total = round((~outbound).sum() / PIPELINE_SOURCE_SHARES["SDR"])
    counts = {k: round(v * total) for k, v in PIPELINE_SOURCE_SHARES.items() if k != "SDR"}
    counts["BDR"] = max(0, counts["BDR"] - int(outbound.sum()))
    n_other = sum(counts.values())
    n = n_lead + n_other
    src = np.concatenate(
        [
            np.where(outbound, "BDR", "SDR"),
            np.concatenate([[k] * v for k, v in counts.items()]) if n_other else [],
        ]
    ).astype(object)
    person = np.concatenate([conv, np.full(n_other, -1)])
    acct = np.concatenate(
        [
            people.account.to_numpy()[conv],
            rng.integers(0, len(accounts), n_other),
        ]
    )
    other_since = np.maximum(accounts._created.to_numpy()[acct[n_lead:]], 0)
    created = np.concatenate(
        [
            people.sql.to_numpy()[conv],
            other_since + rng.uniform(0, 1, n_other) * (HORIZON - other_since),
        ]
    )
    seg = accounts._segment.to_numpy()[acct]
    seg_conv = np.array([SEGMENT_FACTORS[s][0] for s in seg])
    seg_lag = np.array([SEGMENT_FACTORS[s][1] for s in seg])
    mean_size = np.array([SEGMENT_FACTORS[s][2] for s in seg])
    # Who created it: a user with the sourcing role (partner deals are entered by the AE).
    creator = np.empty(n, dtype=object)
    by_role = {r: users.Id[users.Sales_Role__c == r].to_numpy() for r in USER_ROLES}
    for role in sorted(set(src)):
        m = src == role
        pool = by_role.get(role if role != "Partner" else "AE")
        creator[m] = pool[rng.integers(0, len(pool), int(m.sum()))]
    owner = accounts.OwnerId.to_numpy()[acct]
    currency = accounts._currency.to_numpy()[acct]

    # Stage path. Open stages 0..4; terminal WON/LOST/DUPLICATE.
    qualified = rng.random(n) < P_QUALIFY
    win_p = np.clip(0.30 * seg_conv + np.where(src == "Partner", 0.05, 0.0), 0, 0.9)
    duplicate = rng.random(n) < 0.02
    won = qualified & ~duplicate & (rng.random(n) < win_p)
    top = np.where(won, 4, np.where(qualified, rng.integers(1, 5, n), 0))
    stage_t = np.full((n, 5), np.nan)
    stage_t[:, 0] = created
    durations = rng.exponential(1.0, (n, 5)) * (12.0 * seg_lag)[:, None] + 0.5
    clock = created.copy()
    for s in range(1, 5):
        clock = clock + durations[:, s]
        reach = top >= s
        # some deals skip Solution or Proposal on the way to a later stage
        skip = reach & (s in (2, 3)) & (top > s) & (rng.random(n) < 0.10)
        stage_t[:, s] = np.where(reach & ~skip, clock, np.nan)
    last_open = np.nanmax(stage_t, axis=1)
    close_t = last_open + rng.exponential(1.0, n) * 10.0 * seg_lag + 0.5
    # End-of-quarter seasonality: many wins land in the last weeks of their fiscal quarter.
    q_end = quarter_end_of(close_t, q_starts)
    snap = won & (rng.random(n) < 0.6) & (q_end - close_t < 60)
    close_t = np.where(snap, q_end - rng.uniform(0.2, 12, n), close_t)
    terminal = np.where(won, WON, np.where(duplicate, DUPLICATE, LOST))
    expected_cycle = 12.0 * seg_lag * 5 + 10
    initial_close = created + expected_cycle * rng.uniform(0.6, 1.2, n)
    # Deals still open at the extract date close in the future.
    open_now = close_t >= HORIZON
    future_close = np.maximum(initial_close, HORIZON + rng.uniform(5, 150, n))
    usd = np.round(mean_size * np.exp(rng.normal(0, 0.6, n)), -2)
    rate_created = _rate_at(rates, currency, created)
    amount0 = np.round(usd * rate_created, 2)
    changed = rng.random(n) < 0.25
    amount_final = np.where(changed, np.round(amount0 * rng.uniform(0.7, 1.3, n), 2), amount0)
    amount_change_t = np.where(
        changed, stage_t[:, 0] + (last_open - stage_t[:, 0]) * 0.6 + 0.3, np.nan
    )
    pushed = (close_t > initial_close + 3) & ~open_now
    push_t = np.where(pushed, np.minimum(initial_close, close_t - 0.1), np.nan)

    opps = pd.DataFrame(
        {
            "Id": ids("006", n),
            "person": person,
            "account": acct,
            "AccountId": accounts.Id.to_numpy()[acct],
            "OwnerId": owner,
            "CreatedById": creator,
            "Pipeline_Source__c": src,
            "segment": seg,
            "region": accounts.Region__c.to_numpy()[acct],
            "CurrencyIsoCode": currency,
            "LeadSource": np.where(
                person >= 0,
                people.lead_source.to_numpy()[np.maximum(person, 0)],
                np.where(src == "Partner", "Partner", "Sales Generated"),
            ),
            "Type": np.where(
                person >= 0,
                "New Business",
                np.where(rng.random(n) < 0.6, "Expansion", "New Business"),
            ),
            "created": created,
            "close_t": np.where(open_now, np.nan, close_t),
            "terminal": terminal,
            "amount_final": amount_final,
            "acv_share": np.round(rng.uniform(0.55, 1.0, n), 2),
            "future_close": future_close,
            "usd_final": np.round(usd * amount_final / np.where(amount0 == 0, 1, amount0), 2),
            "campaign_id": np.where(
                person >= 0, people.campaign_id.to_numpy()[np.maximum(person, 0)], None
            ),
        }
    )
    opps["Name"] = [f"Deal {i:07d}" for i in range(n)]

    # Events: each row sets some fields; the state after an event is the forward fill.
    ev = []
    for s in range(5):
        t = stage_t[:, s]
        m = ~np.isnan(t)
        ev.append(pd.DataFrame({"opp": np.nonzero(m)[0], "t": t[m], "stage": s}))
    m = ~np.isnan(close_t) & ~open_now
    ev.append(
        pd.DataFrame(
            {
                "opp": np.nonzero(m)[0],
                "t": close_t[m],
                "stage": terminal[m],
                "close_date_t": close_t[m],
            }
        )
    )
    ev.append(
        pd.DataFrame(
            {
                "opp": np.arange(n),
                "t": created + 1e-4,
                "close_date_t": np.where(
                    open_now & (initial_close < HORIZON), future_close, initial_close
                ),
                "amount": amount0,
            }
        )
    )
    m = pushed
    ev.append(
        pd.DataFrame(
            {
                "opp": np.nonzero(m)[0],
                "t": push_t[m],
                "close_date_t": close_t[m] + rng.uniform(0, 20, int(m.sum())),
            }
        )
    )
    m = changed & ~np.isnan(amount_change_t)
    ev.append(
        pd.DataFrame({"opp": np.nonzero(m)[0], "t": amount_change_t[m], "amount": amount_final[m]})
    )
    events = pd.concat(ev, ignore_index=True)
    events = events[events.t < HORIZON].sort_values(["opp", "t"], kind="stable")
    events[["stage", "amount", "close_date_t"]] = events.groupby("opp")[
        ["stage", "amount", "close_date_t"]
    ].ffill()
    events["stage"] = events.stage.fillna(0).astype(int)
    # Closing fixes the close date to the closing day.
    closing = events.stage >= WON
    events.loc[closing, "close_date_t"] = events.loc[closing, "t"]
    events = events.reset_index(drop=True)
    final = events.groupby("opp").tail(1).set_index("opp")
    opps["stage_now"] = final.stage.reindex(range(n)).fillna(0).astype(int).to_numpy()
    opps["amount_now"] = final.amount.reindex(range(n)).to_numpy()
    opps["close_now"] = final.close_date_t.reindex(range(n)).to_numpy()
    opps["modified"] = final.t.reindex(range(n)).to_numpy()
    return opps, events


def _products_and_lines(rng, opps: pd.DataFrame):
    n_fam = len(PRODUCT_FAMILIES)
    prod_ids = ids("01t", n_fam * 3)
    products = pd.DataFrame(
        {
            "Id": prod_ids,
            "Name": [
                f"{f} {tier}" for f in PRODUCT_FAMILIES for tier in ("Core", "Plus", "Premium")
            ],
            "ProductCode": [f"{f[:3].upper()}-{k}" for f in PRODUCT_FAMILIES for k in (1, 2, 3)],
            "Family": [f for f in PRODUCT_FAMILIES for _ in range(3)],
            "IsActive": True,
            "_batch": 0,
        }
    )
    n = len(opps)
    k = rng.choice([1, 2, 3], size=n, p=[0.5, 0.35, 0.15])
    opp_idx = np.repeat(np.arange(n), k)
    pos = np.arange(len(opp_idx)) - np.repeat(np.cumsum(k) - k, k)
    fam = rng.integers(0, n_fam, len(opp_idx))
    fam = np.where((pos == 0) & (rng.random(len(opp_idx)) < 0.6), 0, fam)  # Platform leads
    product = fam * 3 + rng.integers(0, 3, len(opp_idx))
    weight = rng.uniform(0.2, 1.0, len(opp_idx))
    share = weight / np.bincount(opp_idx, weights=weight)[opp_idx]
    amount = opps.amount_final.to_numpy()[opp_idx]
    total = np.round(amount * share, 2)
    # The last line takes the rounding remainder, so lines sum exactly to the amount.
    last = pos == k[opp_idx] - 1
    rest = amount - np.bincount(opp_idx, weights=np.where(last, 0, total))[opp_idx]
    total = np.where(last, np.round(rest, 2), total)
    qty = rng.integers(1, 11, len(opp_idx))
    created = opps.created.to_numpy()[opp_idx] + 0.01
    lines = pd.DataFrame(
        {
            "Id": ids("00k", len(opp_idx)),
            "OpportunityId": opps.Id.to_numpy()[opp_idx],
            "Product2Id": prod_ids[product],
            "Quantity": qty,
            "UnitPrice": np.round(total / qty, 2),
            "TotalPrice": total,
            "CreatedDate": to_ts(created),
            "SystemModstamp": to_ts(created),
            "_batch": batch_of(created),
        }
    )
    return (
        Table("crm", "Product2", products),
        Table("crm", "OpportunityLineItem", lines, ["CreatedDate", "SystemModstamp"]),
    )


# --------------------------------------------------------------------------- extract tables


def _versions(ev: pd.DataFrame, key: str) -> pd.DataFrame:
    """Record versions as the extracts see them: the state at the full extract's cutoff, then
    the state at the end of each later day on which the record changed.

    ``ev`` holds one row per event with the state after it, sorted by key and time ``t``.
    """
    ev = ev.assign(_batch=batch_of(ev.t.to_numpy()))
    return ev.groupby([key, "_batch"], sort=False).tail(1)


def _deletions(rng, versions: pd.DataFrame, key: str, share: float) -> pd.DataFrame:
    """Re-emit a few records untouched since the full extract as deleted in a daily batch."""
    last = versions.groupby(key, sort=False).tail(1)
    pool = last[last._batch == 0]
    pick = pool[rng.random(len(pool)) < share].copy()
    day = rng.integers(FULL_CUTOFF_DAY, HISTORY_DAYS, len(pick))
    pick["t"] = day + rng.uniform(0.3, 0.9, len(pick))
    pick["_batch"] = batch_of(pick.t.to_numpy())
    pick["IsDeleted"] = True
    return pick


def _state_table(source, name, frame, ts_cols, date_cols=()) -> Table:
    return Table(source, name, frame, list(ts_cols), list(date_cols))


def _accounts_table(rng, accounts: pd.DataFrame) -> Table:
    created = accounts._created
    frame = accounts.drop(columns=["_segment", "_currency", "_created"]).copy()
    frame["SystemModstamp"] = to_ts(created.to_numpy() + 0.5)
    frame["IsDeleted"] = False
    frame["_batch"] = batch_of(np.maximum(created.to_numpy() + 0.5, 0))
    # 2% of accounts change during the incremental window (a re-count of employees).
    old = accounts._created.to_numpy() < FULL_CUTOFF_DAY - 1
    change = frame[old & (rng.random(len(frame)) < 0.02)].copy()
    t = rng.uniform(FULL_CUTOFF_DAY, HORIZON - 0.01, len(change))
    change["NumberOfEmployees"] = (change.NumberOfEmployees * 1.1).round().astype(np.int64)
    change["SystemModstamp"] = to_ts(t)
    change["_batch"] = batch_of(t)
    frame = pd.concat([frame, change], ignore_index=True)
    return _state_table("crm", "Account", frame, ["CreatedDate", "SystemModstamp"])


def _assign_campaigns(people: pd.DataFrame, tactic_index, q_starts) -> None:
    """The tactic each engaged person responded to (matching the lead source and quarter)."""
    qi = np.clip(
        np.searchsorted(q_starts, people.engaged.fillna(0).to_numpy(), side="right") - 1,
        0,
        len(q_starts) - 2,
    )
    tactic = people.lead_source.map(SOURCE_TACTIC).to_numpy()
    cid = np.array(
        [tactic_index[(int(q), t)] for q, t in zip(qi, tactic, strict=True)], dtype=object
    )
    people["campaign_id"] = np.where(people.engaged.notna(), cid, None)


def _lead_tables(rng, people, lead_events, opps) -> list[Table]:
    n = len(people)
    owner_pool = np.array([f"005{i:015d}" for i in range(1, 3)], dtype=object)
    contact_ids = np.where(people.sql.notna(), ids("003", n), None)
    opp_of_person = pd.Series(opps.Id.to_numpy(), index=opps.person.to_numpy())
    opp_of_person = opp_of_person[opp_of_person.index >= 0]
    conv_opp = opp_of_person.reindex(np.arange(n)).to_numpy()
    people["contact_id"] = contact_ids
    ev = lead_events.copy()
    p = ev.person.to_numpy()
    converted = ev.status.to_numpy() == "Qualified"
    converted = pd.Series(converted).groupby(p).cummax().to_numpy()
    ev["Id"] = people.lead_id.to_numpy()[p]
    ev["Status"] = ev.status
    ev["IsConverted"] = converted
    ev["ConvertedDate"] = np.where(
        converted, to_date(people.sql.to_numpy()[p]), np.datetime64("NaT")
    )
    ev["ConvertedAccountId"] = np.where(converted, None, None)
    ev["ConvertedContactId"] = np.where(converted, contact_ids[p], None)
    ev["ConvertedOpportunityId"] = np.where(converted, conv_opp[p], None)
    ev["SystemModstamp"] = to_ts(ev.t.to_numpy())
    versions = _versions(ev, "Id")
    versions = pd.concat([versions, _deletions(rng, versions, "Id", 0.003)], ignore_index=True)
    vp = versions.person.to_numpy()
    acct_name = np.array([f"Company {a:06d}" for a in people.account.to_numpy()], dtype=object)
    leads = pd.DataFrame(
        {
            "Id": versions.Id.to_numpy(),
            "Email": people.email.to_numpy()[vp],
            "Company": acct_name[vp],
            "Status": versions.Status.to_numpy(),
            "LeadSource": people.lead_source.to_numpy()[vp],
            "OwnerId": owner_pool[vp % 2],
            "IsConverted": versions.IsConverted.to_numpy(),
            "ConvertedDate": versions.ConvertedDate.to_numpy(),
            "ConvertedAccountId": np.where(
                versions.IsConverted, people.account_id.to_numpy()[vp], None
            ),
            "ConvertedContactId": versions.ConvertedContactId.to_numpy(),
            "ConvertedOpportunityId": versions.ConvertedOpportunityId.to_numpy(),
            "Country": people.country.to_numpy()[vp],
            "Industry": people.industry.to_numpy()[vp],
            "NumberOfEmployees": people.employees.to_numpy()[vp],
            "CreatedDate": to_ts(people.known.to_numpy()[vp] + 0.007),
            "SystemModstamp": versions.SystemModstamp.to_numpy(),
            "IsDeleted": versions.get("IsDeleted", pd.Series(False, index=versions.index))
            .fillna(False)
            .astype(bool)
            .to_numpy(),
            "_batch": versions._batch.to_numpy(),
        }
    )
    hist = lead_events[lead_events.old_status.notna()]
    history = pd.DataFrame(
        {
            "Id": ids("01Q", len(hist)),
            "LeadId": people.lead_id.to_numpy()[hist.person.to_numpy()],
            "Field": "Status",
            "OldValue": hist.old_status.to_numpy(),
            "NewValue": hist.status.to_numpy(),
            "CreatedDate": to_ts(hist.t.to_numpy()),
            "IsDeleted": False,
            "_batch": batch_of(hist.t.to_numpy()),
        }
    )
    return [
        _state_table("crm", "Lead", leads, ["CreatedDate", "SystemModstamp"], ["ConvertedDate"]),
        _state_table("crm", "LeadHistory", history, ["CreatedDate"]),
    ]


def _contact_tables(rng, people, accounts, opps) -> list[Table]:
    conv = people[people.sql.notna()]
    n_acc = len(accounts)
    acc_created = np.maximum(accounts._created.to_numpy(), -700.0) + 1
    acc_contact_ids = ids("003", 2 * n_acc, start=10**12)
    contacts = pd.concat(
        [
            pd.DataFrame(
                {
                    "Id": conv.contact_id.to_numpy(),
                    "AccountId": conv.account_id.to_numpy(),
                    "Email": conv.email.to_numpy(),
                    "LeadSource": conv.lead_source.to_numpy(),
                    "OwnerId": accounts.OwnerId.to_numpy()[conv.account.to_numpy()],
                    "t": conv.sql.to_numpy() + 0.001,
                }
            ),
            pd.DataFrame(
                {
                    "Id": acc_contact_ids,
                    "AccountId": np.repeat(accounts.Id.to_numpy(), 2),
                    "Email": [
                        f"contact{i:07d}@company{i // 2:06d}.example" for i in range(2 * n_acc)
                    ],
                    "LeadSource": "Sales Generated",
                    "OwnerId": np.repeat(accounts.OwnerId.to_numpy(), 2),
                    "t": np.repeat(acc_created, 2),
                }
            ),
        ],
        ignore_index=True,
    )
    contacts = contacts[contacts.t < HORIZON]
    t = contacts.pop("t").to_numpy()
    contacts["CreatedDate"] = to_ts(t)
    contacts["SystemModstamp"] = to_ts(t)
    contacts["IsDeleted"] = False
    contacts["_batch"] = batch_of(np.maximum(t, 0))
    # Contact roles: the converted contact on lead deals, an account contact on the others.
    from_lead = opps.person.to_numpy() >= 0
    contact = np.where(
        from_lead,
        people.contact_id.to_numpy()[np.maximum(opps.person.to_numpy(), 0)],
        acc_contact_ids[2 * opps.account.to_numpy() + rng.integers(0, 2, len(opps))],
    )
    t_ocr = opps.created.to_numpy() + 0.002
    ocr = pd.DataFrame(
        {
            "Id": ids("00K", len(opps)),
            "OpportunityId": opps.Id.to_numpy(),
            "ContactId": contact,
            "Role": np.where(from_lead, "Decision Maker", "Economic Buyer"),
            "IsPrimary": True,
            "SystemModstamp": to_ts(t_ocr),
            "_batch": batch_of(t_ocr),
        }
    )
    return [
        _state_table("crm", "Contact", contacts, ["CreatedDate", "SystemModstamp"]),
        _state_table("crm", "OpportunityContactRole", ocr, ["SystemModstamp"]),
    ]


def _opportunity_tables(rng, opps, events) -> list[Table]:
    stage = events.stage.to_numpy()
    meta = np.array(STAGES, dtype=object)
    o = events.opp.to_numpy()
    ev = pd.DataFrame(
        {
            "opp": o,
            "t": events.t.to_numpy(),
            "Id": opps.Id.to_numpy()[o],
            "StageName": meta[stage, 0],
            "Amount": events.amount.to_numpy(),
            "ACV__c": np.round(events.amount.to_numpy() * opps.acv_share.to_numpy()[o], 2),
            "CloseDate": to_date(events.close_date_t.to_numpy()),
            "Probability": meta[stage, 4].astype(float),
            "ForecastCategoryName": meta[stage, 3],
            "IsClosed": meta[stage, 5].astype(bool),
            "IsWon": meta[stage, 6].astype(bool),
        }
    )
    versions = _versions(ev, "Id")
    versions = pd.concat([versions, _deletions(rng, versions, "Id", 0.005)], ignore_index=True)
    vo = versions.opp.to_numpy()
    static = [
        "AccountId",
        "OwnerId",
        "CreatedById",
        "Name",
        "Type",
        "CurrencyIsoCode",
        "LeadSource",
        "Pipeline_Source__c",
    ]
    frame = pd.DataFrame({c: opps[c].to_numpy()[vo] for c in static})
    for c in [
        "StageName",
        "Amount",
        "ACV__c",
        "CloseDate",
        "Probability",
        "ForecastCategoryName",
        "IsClosed",
        "IsWon",
    ]:
        frame[c] = versions[c].to_numpy()
    frame["CampaignId"] = opps.campaign_id.to_numpy()[vo]
    frame["CreatedDate"] = to_ts(opps.created.to_numpy()[vo])
    frame["SystemModstamp"] = to_ts(versions.t.to_numpy())
    frame["IsDeleted"] = (
        versions.get("IsDeleted", pd.Series(False, index=versions.index))
        .fillna(False)
        .astype(bool)
        .to_numpy()
    )
    frame.insert(0, "Id", versions.Id.to_numpy())
    frame["_batch"] = versions._batch.to_numpy()

    # OpportunityHistory: one row per change, holding the state after it. Salesforce writes
    # "Forecast" for the Commit category in this object.
    fc = ev.ForecastCategoryName.replace({"Commit": "Forecast", "Best Case": "BestCase"})
    history = pd.DataFrame(
        {
            "Id": ids("008", len(ev)),
            "OpportunityId": ev.Id,
            "StageName": ev.StageName,
            "Amount": ev.Amount,
            "CloseDate": ev.CloseDate,
            "Probability": ev.Probability,
            "ForecastCategory": fc,
            "CreatedDate": to_ts(ev.t.to_numpy()),
            "CreatedById": opps.OwnerId.to_numpy()[o],
            "IsDeleted": False,
            "_batch": batch_of(ev.t.to_numpy()),
        }
    )
    # OpportunityFieldHistory: one row per tracked field that changed.
    parts = []
    for field_name in ["StageName", "Amount", "CloseDate"]:
        prev = ev.groupby("opp")[field_name].shift()
        changed = prev.notna() & (prev.astype(str) != ev[field_name].astype(str))
        parts.append(
            pd.DataFrame(
                {
                    "OpportunityId": ev.Id[changed],
                    "Field": field_name,
                    "OldValue": prev[changed].astype(str),
                    "NewValue": ev[field_name][changed].astype(str),
                    "t": ev.t[changed],
                }
            )
        )
    fh = pd.concat(parts, ignore_index=True).sort_values("t", kind="stable")
    fh.insert(0, "Id", ids("017", len(fh)))
    fh["CreatedDate"] = to_ts(fh.t.to_numpy())
    fh["IsDeleted"] = False
    fh["_batch"] = batch_of(fh.pop("t").to_numpy())
    stages = pd.DataFrame(
        {
            "ApiName": meta[:, 0],
            "MasterLabel": meta[:, 0],
            "IsActive": True,
            "IsClosed": meta[:, 5].astype(bool),
            "IsWon": meta[:, 6].astype(bool),
            "DefaultProbability": meta[:, 4].astype(float),
            "ForecastCategoryName": meta[:, 3],
            "SortOrder": meta[:, 1].astype(int),
            "_batch": 0,
        }
    )
    return [
        _state_table("crm", "Opportunity", frame, ["CreatedDate", "SystemModstamp"], ["CloseDate"]),
        _state_table("crm", "OpportunityHistory", history, ["CreatedDate"], ["CloseDate"]),
        _state_table("crm", "OpportunityFieldHistory", fh, ["CreatedDate"]),
        _state_table("crm", "OpportunityStage", stages, []),
    ]


def _campaign_tables(rng, campaigns, tactic_index, people, q_starts) -> list[Table]:
    c = campaigns.copy()
    created = c._start.to_numpy() - 20
    keep = created < HORIZON
    c = c[keep]
    created = created[keep]
    status = np.where(
        c._end < HORIZON, "Completed", np.where(c._start < HORIZON, "In Progress", "Planned")
    )
    camp = pd.DataFrame(
        {
            "Id": c.Id,
            "Name": c.Name,
            "ParentId": c.ParentId,
            "Type": c.Type,
            "Status": status,
            "StartDate": to_date(c._start.to_numpy()),
            "EndDate": to_date(c._end.to_numpy()),
            "BudgetedCost": c.BudgetedCost,
            "ActualCost": c.ActualCost,
            "ExpectedRevenue": c.BudgetedCost * 5,
            "ExpectedResponse": 4.0,
            "NumberSent": (c.BudgetedCost / 10).round().astype(np.int64),
            "IsActive": status != "Completed",
            "CreatedDate": to_ts(np.maximum(created, -60)),
            "SystemModstamp": to_ts(np.maximum(created, -60)),
            "IsDeleted": False,
            "_batch": batch_of(np.maximum(created, 0)),
        }
    )
    # member statuses of tactics
    rows = []
    for cid, ctype, b in zip(camp.Id, camp.Type, camp._batch, strict=True):
        if ctype in ("Strategy", "Programme"):
            continue
        for i, (label, responded) in enumerate(MEMBER_STATUSES.get(ctype, DEFAULT_MEMBER_STATUSES)):
            rows.append((cid, label, responded, i == 0, b))
    mst = pd.DataFrame(rows, columns=["CampaignId", "Label", "HasResponded", "IsDefault", "_batch"])
    mst.insert(0, "Id", ids("01Y", len(mst)))
    label_of = {t: MEMBER_STATUSES.get(t, DEFAULT_MEMBER_STATUSES) for t in camp.Type}
    type_of = dict(zip(camp.Id, camp.Type, strict=True))
    # responded members (the engaging response) and non-responding e-mail recipients
    eng = people[people.engaged.notna()]
    n_sent = len(people) // 2
    who = rng.choice(len(people), size=n_sent, replace=False)
    sent_t = people.known.to_numpy()[who] + rng.uniform(0, 60, n_sent)
    qi = np.clip(np.searchsorted(q_starts, sent_t, side="right") - 1, 0, len(q_starts) - 2)
    sent_cid = np.array([tactic_index[(int(q), "Email")] for q in qi], dtype=object)
    members = pd.concat(
        [
            pd.DataFrame(
                {
                    "CampaignId": eng.campaign_id.to_numpy(),
                    "LeadId": eng.lead_id.to_numpy(),
                    "responded": True,
                    "t": eng.engaged.to_numpy() - 0.001,
                }
            ),
            pd.DataFrame(
                {
                    "CampaignId": sent_cid,
                    "LeadId": people.lead_id.to_numpy()[who],
                    "responded": False,
                    "t": sent_t,
                }
            ),
        ],
        ignore_index=True,
    )
    members = members[members.t < HORIZON].reset_index(drop=True)
    types = members.CampaignId.map(type_of)
    members["Status"] = [
        label_of[t][1 if r else 0][0] if isinstance(t, str) else "Sent"
        for t, r in zip(types, members.responded, strict=True)
    ]
    t = members.pop("t").to_numpy()
    out = pd.DataFrame(
        {
            "Id": ids("00v", len(members)),
            "CampaignId": members.CampaignId,
            "LeadId": members.LeadId,
            "ContactId": None,
            "Status": members.Status,
            "HasResponded": members.responded,
            "FirstRespondedDate": np.where(members.responded, to_date(t), np.datetime64("NaT")),
            "CreatedDate": to_ts(t),
            "SystemModstamp": to_ts(t),
            "IsDeleted": False,
            "_batch": batch_of(t),
        }
    )
    return [
        _state_table(
            "crm", "Campaign", camp, ["CreatedDate", "SystemModstamp"], ["StartDate", "EndDate"]
        ),
        _state_table("crm", "CampaignMemberStatus", mst, []),
        _state_table(
            "crm", "CampaignMember", out, ["CreatedDate", "SystemModstamp"], ["FirstRespondedDate"]
        ),
    ]


def _marketing_tables(rng, people, tactic_index, q_starts) -> list[Table]:
    n = len(people)
    known = people.known.to_numpy()
    pid = people.prospect_id.to_numpy()
    tables = []
    # visitors: anonymous first, identified when the person becomes known
    anon = people.anonymous.notna().to_numpy()
    vid = np.array([f"v{i:09d}" for i in np.nonzero(anon)[0]], dtype=object)
    a_t = people.anonymous.to_numpy()[anon]
    visitors = pd.concat(
        [
            pd.DataFrame(
                {
                    "visitor_id": vid,
                    "first_seen_at": to_ts(a_t),
                    "prospect_id": None,
                    "_batch": batch_of(a_t),
                    "_o": 0,
                }
            ),
            pd.DataFrame(
                {
                    "visitor_id": vid,
                    "first_seen_at": to_ts(a_t),
                    "prospect_id": pid[anon],
                    "_batch": batch_of(known[anon]),
                    "_o": 1,
                }
            ),
        ],
        ignore_index=True,
    ).sort_values(["visitor_id", "_o"], kind="stable")
    visitors = visitors.groupby(["visitor_id", "_batch"], sort=False).tail(1).drop(columns="_o")
    tables.append(_state_table("marketing", "visitor", visitors, ["first_seen_at"]))

    acts = []

    def add(idx, t, kind, **extra):
        m = ~np.isnan(t) & (t < HORIZON)
        frame = pd.DataFrame({"p": idx[m], "t": t[m], "activity_type": kind})
        for k, v in extra.items():
            frame[k] = v[m] if isinstance(v, np.ndarray) else v
        acts.append(frame)

    # anonymous web visits (1-3 before identification)
    vi = np.nonzero(anon)[0]
    k = rng.integers(1, 4, len(vi))
    rep = np.repeat(vi, k)
    span = known[rep] - people.anonymous.to_numpy()[rep]
    add(
        rep,
        people.anonymous.to_numpy()[rep] + rng.uniform(0, 1, len(rep)) * span,
        "web_visit",
        anonymous=True,
        url="https://www.example.com/pricing",
    )
    # e-mail sends, opens, clicks
    k = rng.poisson(4, n)
    rep = np.repeat(np.arange(n), k)
    t_send = known[rep] + rng.uniform(0, 180, len(rep))
    add(rep, t_send, "email_send")
    opened = rng.random(len(rep)) < 0.35
    add(rep[opened], t_send[opened] + 0.1, "email_open")
    clicked = opened & (rng.random(len(rep)) < 0.25)
    add(rep[clicked], t_send[clicked] + 0.12, "email_click", url="https://www.example.com/blog")
    # the engaging response (a form fill or webinar attendance) on the responded campaign
    eng = people.engaged.to_numpy()
    kind = np.where(people.lead_source.to_numpy() == "Webinar", "webinar_attend", "form_submit")
    for kd in ("webinar_attend", "form_submit"):
        m = kind == kd
        add(np.nonzero(m)[0], eng[m], kd, campaign_id=people.campaign_id.to_numpy()[m])
    # content downloads
    m = rng.random(n) < 0.5
    add(
        np.nonzero(m)[0],
        known[m] + rng.uniform(0, 90, int(m.sum())),
        "content_download",
        url="https://www.example.com/whitepaper",
    )
    # score changes: below the threshold while engaging, crossing it at the MQL time
    mql = people.mql.to_numpy()
    has_mql = ~np.isnan(mql)
    base = np.fmax(known, np.nan_to_num(eng, nan=known))
    s1, s2 = rng.uniform(20, 45, n), rng.uniform(55, 95, n)
    s3 = MQL_SCORE_THRESHOLD + rng.uniform(0, 35, n)
    idx = np.arange(n)
    t1 = known + 0.2
    t2 = np.where(has_mql, base + (mql - base) * 0.5, base + 5)
    add(idx, t1, "score_change", score_after=s1, score_delta=s1)
    add(
        idx[~np.isnan(eng) | has_mql],
        t2[~np.isnan(eng) | has_mql],
        "score_change",
        score_after=s2[~np.isnan(eng) | has_mql],
        score_delta=(s2 - s1)[~np.isnan(eng) | has_mql],
    )
    add(
        idx[has_mql],
        mql[has_mql],
        "score_change",
        score_after=s3[has_mql],
        score_delta=(s3 - s2)[has_mql],
    )
    rec, remql = people.recycle.to_numpy(), people.remql.to_numpy()
    m = ~np.isnan(rec)
    add(
        idx[m],
        rec[m],
        "score_change",
        score_after=np.full(int(m.sum()), 40.0),
        score_delta=40.0 - s3[m],
    )
    m = ~np.isnan(remql)
    add(idx[m], remql[m], "score_change", score_after=s3[m], score_delta=s3[m] - 40.0)
    m = rng.random(n) < 0.02
    add(idx[m], known[m] + rng.uniform(30, 300, int(m.sum())), "unsubscribe")
    act = pd.concat(acts, ignore_index=True).sort_values(["t", "p"], kind="stable")
    act = act.reset_index(drop=True)
    p = act.p.to_numpy()
    anon_act = act.get("anonymous", pd.Series(False, index=act.index)).fillna(False).astype(bool)
    vis_of = np.full(n, None, dtype=object)
    vis_of[anon] = vid
    activity = pd.DataFrame(
        {
            "activity_id": pd.Series(np.arange(len(act)) + 5_000_000).astype(str).to_numpy(),
            "occurred_at": to_ts(act.t.to_numpy()),
            "activity_type": act.activity_type.to_numpy(),
            "prospect_id": np.where(anon_act, None, pid[p]),
            "visitor_id": np.where(anon_act | (rng.random(len(act)) < 0.3), vis_of[p], None),
            "campaign_id": act.get("campaign_id"),
            "program_name": None,
            "url": act.get("url"),
            "score_delta": np.round(act.get("score_delta").to_numpy(dtype=float), 1),
            "score_after": np.round(act.get("score_after").to_numpy(dtype=float), 1),
            "_batch": batch_of(act.t.to_numpy()),
        }
    )
    tables.append(_state_table("marketing", "activity", activity, ["occurred_at"]))
    # prospects: created when known; updated when converted (CRM contact linked)
    final_score = np.where(
        has_mql & np.isnan(rec),
        s3,
        np.where(~np.isnan(rec) & np.isnan(remql), 40.0, np.where(~np.isnan(eng), s2, s1)),
    )
    sql = people.sql.to_numpy()
    created = pd.DataFrame(
        {
            "prospect_id": pid,
            "email": people.email.to_numpy(),
            "created_at": to_ts(known),
            "crm_lead_id": people.lead_id.to_numpy(),
            "crm_contact_id": None,
            "score": np.round(s1, 1),
            "updated_at": to_ts(known + 0.2),
            "is_deleted": False,
            "_batch": batch_of(known + 0.2),
            "_o": 0,
        }
    )
    upd_t = np.fmax(np.fmax(np.nan_to_num(mql, nan=0), np.nan_to_num(sql, nan=0)), known + 0.3)
    upd_t = np.where(upd_t < HORIZON, upd_t, known + 0.3)
    updated = created.assign(
        crm_contact_id=people.contact_id.to_numpy(),
        score=np.round(final_score, 1),
        updated_at=to_ts(upd_t),
        _batch=batch_of(upd_t),
        _o=1,
    )
    prospects = pd.concat([created, updated], ignore_index=True).sort_values(
        ["prospect_id", "_o"], kind="stable"
    )
    prospects = prospects.groupby(["prospect_id", "_batch"], sort=False).tail(1)
    tables.append(
        _state_table(
            "marketing", "prospect", prospects.drop(columns="_o"), ["created_at", "updated_at"]
        )
    )
    return tables


def _activity_tables(rng, opps, people) -> list[Table]:
    n = len(opps)
    end = np.where(np.isnan(opps.close_t), HORIZON, opps.close_t)
    k = rng.poisson(3, n)
    rep = np.repeat(np.arange(n), k)
    t = opps.created.to_numpy()[rep] + rng.uniform(0, 1, len(rep)) * (
        end[rep] - opps.created.to_numpy()[rep]
    )
    subtype = choice(rng, ["Call", "Email"], len(rep), [0.55, 0.45])
    # SDR follow-up call on each MQL
    mql = people.mql.to_numpy()
    pm = np.nonzero(~np.isnan(mql))[0]
    tasks = pd.concat(
        [
            pd.DataFrame(
                {
                    "WhoId": None,
                    "WhatId": opps.Id.to_numpy()[rep],
                    "AccountId": opps.AccountId.to_numpy()[rep],
                    "OwnerId": opps.OwnerId.to_numpy()[rep],
                    "Subject": np.where(subtype == "Call", "Call", "Email: follow-up"),
                    "Type": subtype,
                    "TaskSubtype": subtype,
                    "t": t,
                }
            ),
            pd.DataFrame(
                {
                    "WhoId": people.lead_id.to_numpy()[pm],
                    "WhatId": None,
                    "AccountId": None,
                    "OwnerId": "005000000000000002",
                    "Subject": "Call: MQL follow-up",
                    "Type": "Call",
                    "TaskSubtype": "Call",
                    "t": mql[pm] + 0.5,
                }
            ),
        ],
        ignore_index=True,
    )
    tasks = tasks[tasks.t < HORIZON].sort_values("t", kind="stable").reset_index(drop=True)
    tt = tasks.pop("t").to_numpy()
    tasks.insert(0, "Id", ids("00T", len(tasks)))
    tasks["Status"] = "Completed"
    tasks["ActivityDate"] = to_date(tt)
    tasks["CreatedDate"] = to_ts(tt)
    tasks["SystemModstamp"] = to_ts(tt)
    tasks["IsDeleted"] = False
    tasks["_batch"] = batch_of(tt)
    # meetings: one when sales accepts a lead (SAL), about one per opportunity
    sal = people.sal.to_numpy()
    ps = np.nonzero(~np.isnan(sal))[0]
    k = rng.poisson(1.2, n)
    rep = np.repeat(np.arange(n), k)
    t = opps.created.to_numpy()[rep] + rng.uniform(0, 1, len(rep)) * (
        end[rep] - opps.created.to_numpy()[rep]
    )
    events = pd.concat(
        [
            pd.DataFrame(
                {
                    "WhoId": people.lead_id.to_numpy()[ps],
                    "WhatId": None,
                    "AccountId": None,
                    "OwnerId": "005000000000000001",
                    "Subject": "Intro meeting",
                    "t": sal[ps] + 0.6,
                }
            ),
            pd.DataFrame(
                {
                    "WhoId": None,
                    "WhatId": opps.Id.to_numpy()[rep],
                    "AccountId": opps.AccountId.to_numpy()[rep],
                    "OwnerId": opps.OwnerId.to_numpy()[rep],
                    "Subject": "Meeting",
                    "t": t,
                }
            ),
        ],
        ignore_index=True,
    )
    events = events[events.t < HORIZON].sort_values("t", kind="stable").reset_index(drop=True)
    et = events.pop("t").to_numpy()
    events.insert(0, "Id", ids("00U", len(events)))
    events["Type"] = "Meeting"
    events["EventSubtype"] = "Event"
    events["StartDateTime"] = to_ts(et)
    events["ActivityDate"] = to_date(et)
    events["CreatedDate"] = to_ts(et - 2)
    events["SystemModstamp"] = to_ts(et - 2)
    events["IsDeleted"] = False
    events["_batch"] = batch_of(np.maximum(et - 2, 0))
    return [
        _state_table("crm", "Task", tasks, ["CreatedDate", "SystemModstamp"], ["ActivityDate"]),
        _state_table(
            "crm",
            "Event",
            events,
            ["StartDateTime", "CreatedDate", "SystemModstamp"],
            ["ActivityDate"],
        ),
    ]


def _reference_tables(rates, users, opps, people, q_starts) -> list[Table]:
    latest = rates[rates.StartDate <= END_DATE].groupby("IsoCode").tail(1)
    currency = pd.DataFrame(
        {
            "IsoCode": latest.IsoCode,
            "ConversionRate": latest.ConversionRate,
            "IsCorporate": latest.IsoCode == "USD",
            "_batch": 0,
        }
    )
    dated = rates.assign(_batch=0)
    dated.insert(0, "Id", ids("04w", len(dated)))
    labels = [fiscal_label(q) for q in q_starts]
    aes = users[users.Sales_Role__c == "AE"]
    quota = pd.DataFrame(
        [
            (u, (START + np.timedelta64(int(q), "D")), 250_000.0, "USD")
            for q in q_starts[:-1]
            if q < HORIZON + 100
            for u in aes.Id
        ],
        columns=["QuotaOwnerId", "StartDate", "QuotaAmount", "CurrencyIsoCode"],
    )
    quota.insert(0, "Id", ids("0J9", len(quota)))
    quota["_batch"] = 0
    return [
        _state_table("crm", "CurrencyType", currency, []),
        _state_table("crm", "DatedConversionRate", dated, [], ["StartDate", "NextStartDate"]),
        _state_table("crm", "ForecastingQuota", quota, [], ["StartDate"]),
        _state_table("plan", "target", _targets(opps, people, q_starts, labels), []),
    ]


def _targets(opps, people, q_starts, labels) -> pd.DataFrame:
    """Quarterly targets set a little above what the business went on to do (past quarters) and
    at last year's result plus growth (the current and next quarter)."""

    def quarter(t):
        return np.clip(np.searchsorted(q_starts, t, side="right") - 1, 0, len(q_starts) - 1)

    won = opps[(opps.terminal == WON) & opps.close_t.notna()]
    acv_usd = won.usd_final * won.acv_share
    facts = {
        "closed_won_acv": pd.DataFrame(
            {
                "q": quarter(won.close_t.to_numpy()),
                "region": won.region,
                "segment": won.segment,
                "source": won.Pipeline_Source__c,
                "v": acv_usd,
            }
        ),
        "pipeline_generation": pd.DataFrame(
            {
                "q": quarter(opps.created.to_numpy()),
                "region": opps.region,
                "segment": opps.segment,
                "source": opps.Pipeline_Source__c,
                "v": opps.usd_final * opps.acv_share,
            }
        ),
    }
    for metric, col in [("mql_count", "mql"), ("sql_count", "sql")]:
        p = people[people[col].notna()]
        facts[metric] = pd.DataFrame(
            {
                "q": quarter(p[col].to_numpy()),
                "region": p.region,
                "segment": p.segment,
                "source": p.lead_source,
                "v": 1.0,
            }
        )
    current_q = int(quarter(np.array([HORIZON - 1]))[0])
    rows = []
    for metric, f in facts.items():
        for dim in ["total", "region", "segment", "source"]:
            key = f[dim] if dim != "total" else pd.Series("total", index=f.index)
            agg = f.groupby([f.q, key]).v.sum()
            for (q, value), v in agg.items():
                rows.append((int(q), metric, dim, value, float(v)))
    t = pd.DataFrame(rows, columns=["q", "metric", "dimension_type", "dimension_value", "v"])
    # current and next quarter: four quarters earlier, plus 20% growth
    ahead = t[t.q.isin([current_q - 4, current_q - 3])].copy()
    ahead["q"] += 4
    ahead["v"] *= 1.2
    past = t[t.q < current_q].copy()
    past["v"] *= 1.0 + ((past.q * 7 + past.dimension_value.str.len()) % 20) / 100.0
    t = pd.concat([past[past.q >= 1], ahead], ignore_index=True)
    money = t.metric.isin(["closed_won_acv", "pipeline_generation"])
    t["amount"] = np.where(money, np.round(t.v, -3), np.round(t.v))
    t["fiscal_period"] = [labels[q] for q in t.q]
    t["_batch"] = 0
    return t[
        ["fiscal_period", "metric", "dimension_type", "dimension_value", "amount", "_batch"]
    ].sort_values(["fiscal_period", "metric", "dimension_type", "dimension_value"], kind="stable")
