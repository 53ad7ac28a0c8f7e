"""Reference tables and the plan: stages, currencies, quotas and targets."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dagster_project.sample.common import (
    END_DATE,
    HORIZON,
    START,
    WON,
    Table,
    fiscal_label,
    ids,
    state_table,
)


def reference_tables(rates, users, opps, people, q_starts) -> list[Table]:
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
        state_table("crm", "CurrencyType", currency, []),
        state_table("crm", "DatedConversionRate", dated, [], ["StartDate", "NextStartDate"]),
        state_table("crm", "ForecastingQuota", quota, [], ["StartDate"]),
        state_table("plan", "target", _targets(opps, people, q_starts, labels), []),
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
