"""Sales activities: tasks and events (meetings) on people and deals."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dagster_project.sample.common import (
    HORIZON,
    Table,
    batch_of,
    choice,
    ids,
    state_table,
    to_date,
    to_ts,
)


def activity_tables(rng, opps, people) -> list[Table]:
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
        state_table("crm", "Task", tasks, ["CreatedDate", "SystemModstamp"], ["ActivityDate"]),
        state_table(
            "crm",
            "Event",
            events,
            ["StartDateTime", "CreatedDate", "SystemModstamp"],
            ["ActivityDate"],
        ),
    ]
