"""The marketing-automation side: visitors, prospects and their activities."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dagster_project.sample.common import (
    HORIZON,
    MQL_SCORE_THRESHOLD,
    Table,
    batch_of,
    state_table,
    to_ts,
)


def marketing_tables(rng, people, tactic_index, q_starts) -> list[Table]:
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
    tables.append(state_table("marketing", "visitor", visitors, ["first_seen_at"]))

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
    tables.append(state_table("marketing", "activity", activity, ["occurred_at"]))
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
        state_table(
            "marketing", "prospect", prospects.drop(columns="_o"), ["created_at", "updated_at"]
        )
    )
    return tables
