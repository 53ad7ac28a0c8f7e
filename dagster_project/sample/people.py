"""People and the funnel: who becomes known, engaged, MQL, SAL, SQL; leads, contacts
and their status history."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dagster_project.sample.common import (
    HORIZON,
    LAG_DAYS,
    P_RECYCLE,
    P_REMQL,
    P_SKIP_ENGAGED,
    P_SKIP_SAL,
    SEGMENT_FACTORS,
    SOURCE_FUNNEL,
    Scale,
    Table,
    batch_of,
    deletions_of,
    ids,
    state_table,
    to_date,
    to_ts,
    versions_of,
)


def simulate_people(rng, sc: Scale, accounts: pd.DataFrame) -> pd.DataFrame:
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


def simulate_lead_events(rng, people: pd.DataFrame) -> pd.DataFrame:
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


def lead_tables(rng, people, lead_events, opps) -> list[Table]:
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
    versions = versions_of(ev, "Id")
    versions = pd.concat([versions, deletions_of(rng, versions, "Id", 0.003)], ignore_index=True)
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
        state_table("crm", "Lead", leads, ["CreatedDate", "SystemModstamp"], ["ConvertedDate"]),
        state_table("crm", "LeadHistory", history, ["CreatedDate"]),
    ]


def contact_tables(rng, people, accounts, opps) -> list[Table]:
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
        state_table("crm", "Contact", contacts, ["CreatedDate", "SystemModstamp"]),
        state_table("crm", "OpportunityContactRole", ocr, ["SystemModstamp"]),
    ]
