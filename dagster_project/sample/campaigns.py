"""Campaigns: the strategy > programme > tactic hierarchy, member statuses and members."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dagster_project.sample.common import (
    CAMPAIGN_STRATEGIES,
    DEFAULT_MEMBER_STATUSES,
    HORIZON,
    MEMBER_STATUSES,
    SOURCE_TACTIC,
    Table,
    batch_of,
    fiscal_label,
    ids,
    state_table,
    to_date,
    to_ts,
)


def simulate_campaigns(rng, q_starts: np.ndarray):
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


def assign_campaigns(people: pd.DataFrame, tactic_index, q_starts) -> None:
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


def campaign_tables(rng, campaigns, tactic_index, people, q_starts) -> list[Table]:
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
        state_table(
            "crm", "Campaign", camp, ["CreatedDate", "SystemModstamp"], ["StartDate", "EndDate"]
        ),
        state_table("crm", "CampaignMemberStatus", mst, []),
        state_table(
            "crm", "CampaignMember", out, ["CreatedDate", "SystemModstamp"], ["FirstRespondedDate"]
        ),
    ]
