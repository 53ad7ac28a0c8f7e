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


def campaign_tables(
    rng, campaigns, tactic_index, people, q_starts, opps, accounts, users
) -> list[Table]:
    # Draws added after the first sample was committed use a generator of their own, so the
    # rest of the sample keeps its values.
    (own,) = rng.spawn(1)
    c = campaigns.copy()
    created = c._start.to_numpy() - 20
    keep = created < HORIZON
    c = c[keep]
    created = created[keep]
    c = _container_costs(own, c)
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
            "OwnerId": own.choice(users.Id.to_numpy(), len(c)),
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
    members["ContactId"] = None
    members["Id"] = ids("00v", len(members))
    extra = _extra_touches(own, people, opps, accounts, tactic_index, q_starts, type_of, label_of)
    known = set(zip(members.CampaignId, members.LeadId.fillna(""), strict=True))
    dup = [
        (cid, lid or "") in known for cid, lid in zip(extra.CampaignId, extra.LeadId, strict=True)
    ]
    extra = extra[~np.array(dup, dtype=bool)] if len(extra) else extra
    members = pd.concat([members, extra.drop(columns=["t"])], ignore_index=True)
    t = np.concatenate([t, extra.t.to_numpy()])
    out = pd.DataFrame(
        {
            "Id": members.Id,
            "CampaignId": members.CampaignId,
            "LeadId": members.LeadId,
            "ContactId": members.ContactId,
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


def _container_costs(own, c: pd.DataFrame) -> pd.DataFrame:
    """Strategies and programmes carry their own spend (agency retainers, programme
    management), so hierarchy rollups add a parent's cost to its children's."""
    c = c.copy()
    container = c.Type.isin(["Strategy", "Programme"]).to_numpy()
    budget = np.round(own.uniform(2_000, 12_000, len(c)), -2)
    spent = np.where(
        c._start.to_numpy() < HORIZON, np.round(budget * own.uniform(0.8, 1.1, len(c)), 2), 0.0
    )
    c["BudgetedCost"] = np.where(container, budget, c.BudgetedCost)
    c["ActualCost"] = np.where(container, spent, c.ActualCost)
    return c


def _extra_touches(own, people, opps, accounts, tactic_index, q_starts, type_of, label_of):
    """Touches beyond the response that engaged a person, for attribution to have paths:
    nurture responses between engagement and the deal's creation (on the lead before it
    converted, on its contact after), a response while the deal is open, and account-based
    campaigns reaching both contacts of an account before a sales-sourced deal or at random
    (half of them respond)."""
    n_q = len(q_starts) - 1
    tactics = sorted({t for (_, t) in tactic_index})
    rows = []
    lead_deals = opps[opps.person.to_numpy() >= 0]
    p = lead_deals.person.to_numpy()
    start = np.nan_to_num(people.engaged.to_numpy()[p], nan=people.known.to_numpy()[p])
    created = lead_deals.created.to_numpy()
    sql = people.sql.to_numpy()[p]
    extra_n = np.where(own.random(len(p)) < 0.65, own.integers(1, 4, len(p)), 0)
    for k in range(3):
        m = (extra_n > k) & (created > start + 1)
        t = start[m] + (created[m] - start[m]) * own.uniform(0.05, 0.95, m.sum())
        rows.append((p[m], t, own.choice(tactics, m.sum()), t >= sql[m]))
    # one response while the deal is open
    close = np.where(np.isnan(lead_deals.close_t.to_numpy()), HORIZON, lead_deals.close_t)
    m = (own.random(len(p)) < 0.3) & (close > created + 2)
    t = created[m] + (close[m] - created[m]) * own.uniform(0.1, 0.9, m.sum())
    rows.append((p[m], t, own.choice(tactics, m.sum()), np.ones(m.sum(), dtype=bool)))
    frames = []
    for person, t, ttype, as_contact in rows:
        qi = np.clip(np.searchsorted(q_starts, t, side="right") - 1, 0, n_q - 1)
        frames.append(
            pd.DataFrame(
                {
                    "CampaignId": [
                        tactic_index[(int(q), tt)] for q, tt in zip(qi, ttype, strict=True)
                    ],
                    "LeadId": np.where(as_contact, None, people.lead_id.to_numpy()[person]),
                    "ContactId": np.where(as_contact, people.contact_id.to_numpy()[person], None),
                    "responded": True,
                    "t": t,
                }
            )
        )
    # account-based marketing: both contacts of the account of 40% of the deals that did not
    # come from a lead, in the months before the deal, and of a tenth of the accounts at random
    n_acc = len(accounts)
    acc_contacts = ids("003", 2 * n_acc, start=10**12)
    sales_deals = opps[(opps.person.to_numpy() < 0) & (own.random(len(opps)) < 0.4)]
    random_acc = np.nonzero(own.random(n_acc) < 0.1)[0]
    acc_created = np.maximum(accounts._created.to_numpy()[random_acc], -700.0) + 2
    targeted = np.concatenate([sales_deals.account.to_numpy(), random_acc])
    t = np.concatenate(
        [
            sales_deals.created.to_numpy() - own.uniform(5, 150, len(sales_deals)),
            acc_created + own.uniform(0, 400, len(random_acc)),
        ]
    )
    abm_type = own.choice(["Direct Mail", "Account Email"], len(targeted))
    qi = np.clip(np.searchsorted(q_starts, t, side="right") - 1, 0, n_q - 1)
    for j in range(2):
        responded = own.random(len(targeted)) < 0.5
        frames.append(
            pd.DataFrame(
                {
                    "CampaignId": [
                        tactic_index[(int(q), tt)] for q, tt in zip(qi, abm_type, strict=True)
                    ],
                    "LeadId": None,
                    "ContactId": acc_contacts[2 * targeted + j],
                    "responded": responded,
                    "t": t + 0.01 * j,
                }
            )
        )
    extra = pd.concat(frames, ignore_index=True)
    extra = extra[extra.t < HORIZON]
    # a person is a member of a campaign once
    extra = extra.drop_duplicates(["CampaignId", "LeadId", "ContactId"]).reset_index(drop=True)
    extra["Status"] = [
        label_of[type_of[c]][1 if r else 0][0]
        for c, r in zip(extra.CampaignId, extra.responded, strict=True)
    ]
    extra["Id"] = ids("00v", len(extra), start=10**12)
    return extra
