"""Opportunities and their history: stages, pushes, amount changes, closes, products
and line items, and the versioned state tables they are written from."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dagster_project.sample.common import (
    DUPLICATE,
    HORIZON,
    LOST,
    P_QUALIFY,
    PIPELINE_SOURCE_SHARES,
    PRODUCT_FAMILIES,
    SEGMENT_FACTORS,
    STAGES,
    USER_ROLES,
    WON,
    Table,
    batch_of,
    deletions_of,
    ids,
    quarter_end_of,
    state_table,
    to_date,
    to_ts,
    versions_of,
)
from dagster_project.sample.org import rate_at


def simulate_opportunities(rng, people, accounts, users, rates, q_starts):
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
    rate_created = rate_at(rates, currency, created)
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
    ev.append(_regressions(rng, stage_t, last_open, np.where(open_now, HORIZON + 90, close_t)))
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


NEXT_STEPS = [
    "Send proposal",
    "Schedule demo",
    "Security review",
    "Pricing call",
    "Agree mutual close plan",
    "Legal review",
]


def _next_steps(n: int) -> np.ndarray:
    """Each deal's NextStep; about one deal in six has none (Clean Your Room's
    missing_next_step). Derived from the deal's number, not drawn, so adding the field left
    every other value of the sample as it was."""
    i = np.arange(n)
    steps = np.array(NEXT_STEPS, dtype=object)[i % len(NEXT_STEPS)]
    return np.where((i * 7919) % 100 < 17, None, steps)


def _reassignments(opps: pd.DataFrame, ev: pd.DataFrame) -> pd.DataFrame:
    """About one deal in twenty changes hands once, halfway between its first and last
    change (the waterfall's transferred_in / transferred_out, the AMP's owner at the week's
    end). Derived from the deal's number, not drawn, so adding it left every other value of
    the sample as it was. One row per reassigned deal: its index, the time, both owners."""
    n = len(opps)
    i = np.arange(n)
    times = ev.groupby("opp").t
    first = times.min().reindex(i).to_numpy()
    last = times.max().reindex(i).to_numpy()
    owners = opps.OwnerId.to_numpy()
    pool = np.unique(owners)
    # a different owner of some other deal; the pool's next ones in order
    new_owner = pool[(np.searchsorted(pool, owners) + 1 + i % 3) % len(pool)]
    moved = ((i * 104729) % 100 < 5) & (last > first) & (new_owner != owners)
    return pd.DataFrame(
        {
            "opp": i[moved],
            "t": (first + (last - first) * 0.5)[moved],
            "old": owners[moved],
            "new": new_owner[moved],
        }
    )


def _regressions(rng, stage_t, last_open, close_t) -> pd.DataFrame:
    """Some qualified deals fall back to Prospecting (below the qualified band) after their
    last stage move and, most of them, return to that stage before they close: the pipeline
    waterfall's `removed` and `requalified`. Drawn from a generator of their own, so the rest
    of the sample keeps its values."""
    (own,) = rng.spawn(1)
    n = len(last_open)
    top = np.nanargmax(np.where(np.isnan(stage_t), -np.inf, stage_t), axis=1)
    m = (top >= 2) & (own.random(n) < 0.08)
    span = close_t - last_open
    fall = last_open + span * own.uniform(0.2, 0.4, n)
    back = last_open + span * own.uniform(0.5, 0.8, n)
    returns = own.random(n) < 0.8
    rows = [pd.DataFrame({"opp": np.nonzero(m)[0], "t": fall[m], "stage": 0})]
    r = m & returns
    rows.append(pd.DataFrame({"opp": np.nonzero(r)[0], "t": back[r], "stage": top[r]}))
    return pd.concat(rows, ignore_index=True)


def simulate_products_and_lines(rng, opps: pd.DataFrame):
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


def opportunity_tables(rng, opps, events) -> list[Table]:
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
    versions = versions_of(ev, "Id")
    versions = pd.concat([versions, deletions_of(rng, versions, "Id", 0.005)], ignore_index=True)
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
    frame["NextStep"] = _next_steps(len(opps))[vo]
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
    moves = _reassignments(opps, ev)
    # A reassigned deal's snapshots from the change on carry its new owner (OwnerId today);
    # the ones before keep the first.
    change_t = pd.Series(moves.t.to_numpy(), index=moves.opp.to_numpy()).reindex(vo).to_numpy()
    new_owner = pd.Series(moves.new.to_numpy(), index=moves.opp.to_numpy()).reindex(vo)
    after = versions.t.to_numpy() >= np.nan_to_num(change_t, nan=np.inf)
    frame["OwnerId"] = np.where(after, new_owner.to_numpy(), frame["OwnerId"].to_numpy())

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
    parts.append(
        pd.DataFrame(
            {
                "OpportunityId": opps.Id.to_numpy()[moves.opp.to_numpy()],
                "Field": "Owner",
                "OldValue": moves.old.to_numpy(),
                "NewValue": moves.new.to_numpy(),
                "t": moves.t.to_numpy(),
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
        state_table("crm", "Opportunity", frame, ["CreatedDate", "SystemModstamp"], ["CloseDate"]),
        state_table("crm", "OpportunityHistory", history, ["CreatedDate"], ["CloseDate"]),
        state_table("crm", "OpportunityFieldHistory", fh, ["CreatedDate"]),
        state_table("crm", "OpportunityStage", stages, []),
    ]
