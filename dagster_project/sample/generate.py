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

import numpy as np

from dagster_project.sample.activities import activity_tables
from dagster_project.sample.campaigns import assign_campaigns, campaign_tables, simulate_campaigns
from dagster_project.sample.common import SCALES, Table, fiscal_quarter_starts, state_table
from dagster_project.sample.marketing import marketing_tables
from dagster_project.sample.opportunities import (
    opportunity_tables,
    simulate_opportunities,
    simulate_products_and_lines,
)
from dagster_project.sample.org import (
    accounts_table,
    simulate_accounts,
    simulate_dated_rates,
    simulate_users,
)
from dagster_project.sample.people import (
    contact_tables,
    lead_tables,
    simulate_lead_events,
    simulate_people,
)
from dagster_project.sample.plan import reference_tables


def generate(scale: str, seed: int) -> list[Table]:
    """Simulate the business at a scale preset; returns every extract object as a Table."""
    sc = SCALES[scale]
    rng = np.random.default_rng(seed)
    q_starts = fiscal_quarter_starts()
    tables: list[Table] = []

    users, roles = simulate_users(rng, sc)
    accounts = simulate_accounts(rng, sc, users)
    rates = simulate_dated_rates(rng)
    campaigns, tactic_index = simulate_campaigns(rng, q_starts)
    people = simulate_people(rng, sc, accounts)
    a = people.account.to_numpy()
    people["account_id"] = accounts.Id.to_numpy()[a]
    people["country"] = accounts.BillingCountry.to_numpy()[a]
    people["industry"] = accounts.Industry.to_numpy()[a]
    people["employees"] = accounts.NumberOfEmployees.to_numpy()[a]
    people["region"] = accounts.Region__c.to_numpy()[a]
    assign_campaigns(people, tactic_index, q_starts)
    lead_events = simulate_lead_events(rng, people)
    opps, opp_events = simulate_opportunities(rng, people, accounts, users, rates, q_starts)
    products, line_items = simulate_products_and_lines(rng, opps)

    tables += [roles, state_table("crm", "User", users.drop(columns=["_region"]), ["CreatedDate"])]
    tables.append(accounts_table(rng, accounts))
    tables += lead_tables(rng, people, lead_events, opps)
    tables += contact_tables(rng, people, accounts, opps)
    tables += opportunity_tables(rng, opps, opp_events)
    tables += [products, line_items]
    tables += campaign_tables(rng, campaigns, tactic_index, people, q_starts, opps, accounts, users)
    tables += marketing_tables(rng, people, tactic_index, q_starts)
    tables += activity_tables(rng, opps, people)
    tables += reference_tables(rates, users, opps, people, q_starts)
    return tables
