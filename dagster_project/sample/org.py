"""The company: users and roles, accounts, currencies and their dated rates."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dagster_project.sample.common import (
    BASE_RATES,
    COUNTRY_CURRENCY,
    END_DATE,
    FULL_CUTOFF_DAY,
    HORIZON,
    INDUSTRIES,
    REGION_WEIGHTS,
    REGIONS,
    START,
    USER_ROLES,
    Scale,
    Table,
    batch_of,
    choice,
    ids,
    state_table,
    to_date,
    to_ts,
)


def simulate_users(rng, sc: Scale):
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


def simulate_accounts(rng, sc: Scale, users: pd.DataFrame) -> pd.DataFrame:
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


def simulate_dated_rates(rng) -> pd.DataFrame:
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


def rate_at(rates: pd.DataFrame, iso: np.ndarray, t: np.ndarray) -> np.ndarray:
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


def accounts_table(rng, accounts: pd.DataFrame) -> Table:
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
    return state_table("crm", "Account", frame, ["CreatedDate", "SystemModstamp"])
