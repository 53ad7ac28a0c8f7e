"""Campaign accountability on the committed sample (seeds/landing): responses and members
recounted from the CampaignMember and Lead extracts, people counted once in a hierarchy, every
attribution model handing out the recounted bookings exactly, the sample giving attribution
real paths (several touches, untouched deals, primary campaigns); and, on the xs sample, a
campaign loop reported and left out of rollups without breaking the run."""

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from support import extract_current_state, failures, query, recount_won_deals, run_refresh

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "seeds" / "landing"
TOUCH_MODELS = ["first_touch", "last_touch", "even", "u_shaped", "w_shaped", "full_path"]


@pytest.fixture(scope="module")
def db(sample_warehouse) -> Path:
    return sample_warehouse / "published" / "analytics.duckdb"


@pytest.fixture(scope="module")
def members() -> pd.DataFrame:
    """Campaign members with a person key recounted from the extracts: a lead is its own
    person; a contact is the earliest lead converted into it, else itself. A member whose lead
    or contact is gone from the extracts (deleted) reaches nobody."""
    members = extract_current_state(SAMPLE, "crm", "CampaignMember")
    leads = extract_current_state(SAMPLE, "crm", "Lead")
    contacts = extract_current_state(SAMPLE, "crm", "Contact")
    members = members[
        members["LeadId"].isin(leads["Id"]) | members["ContactId"].isin(contacts["Id"])
    ].copy()
    converted = (
        leads[leads["ConvertedContactId"] != ""]
        .sort_values(["CreatedDate", "Id"])
        .drop_duplicates("ConvertedContactId")
        .set_index("ConvertedContactId")["Id"]
    )
    contact_person = members["ContactId"].map(converted).fillna(members["ContactId"])
    members["person"] = members["LeadId"].where(members["LeadId"] != "", contact_person)
    members["responded"] = members["HasResponded"].str.lower() == "true"
    return members


def _descendants(campaigns: pd.DataFrame) -> dict[str, set[str]]:
    """Each campaign with itself and every campaign below it, from Campaign.ParentId."""
    parent = dict(zip(campaigns["Id"], campaigns["ParentId"], strict=True))
    below: dict[str, set[str]] = {c: {c} for c in parent}
    for c in parent:
        seen, p = {c}, parent[c]
        while p and p in parent and p not in seen:
            below[p].add(c)
            seen.add(p)
            p = parent[p]
    return below


def test_members_and_responses_of_every_campaign_recounted_from_the_extracts(db, members):
    rows = query(
        db,
        "select campaign_id, members, responses from marts.mart_campaign_performance "
        "where scope = 'campaign' and fiscal_period = 'lifetime'",
    )
    got = {c: (m, r) for c, m, r in rows}
    expected = {
        c: (g["person"].nunique(), g.loc[g["responded"], "person"].nunique())
        for c, g in members.groupby("CampaignId")
    }
    assert {c: v for c, v in got.items() if v != (0, 0)} == expected


def test_a_person_in_two_child_campaigns_counts_once_in_the_parent(db, members):
    campaigns = extract_current_state(SAMPLE, "crm", "Campaign")
    below = _descendants(campaigns)
    rows = query(
        db,
        "select campaign_id, members, responses from marts.mart_campaign_performance "
        "where scope = 'hierarchy' and fiscal_period = 'lifetime'",
    )
    overlapping = 0
    for campaign_id, got_members, got_responses in rows:
        reached = members[members["CampaignId"].isin(below[campaign_id])]
        assert got_members == reached["person"].nunique(), campaign_id
        assert got_responses == reached.loc[reached["responded"], "person"].nunique()
        memberships = reached.groupby("CampaignId")["person"].nunique().sum()
        overlapping += memberships > got_members
    # the sample must make the rule matter: people reached by several campaigns of one tree
    assert overlapping >= 5


def test_every_model_hands_out_the_recounted_bookings_exactly(db):
    """Won ACV credited by each model, unattributed included, = the ACV of the won deals
    recounted from the Opportunity and DatedConversionRate extracts."""
    expected = recount_won_deals(SAMPLE)["acv"].sum()
    rows = query(
        db,
        "select attribution_model, sum(credited_won_acv_corp), "
        "sum(case when is_unattributed then credited_won_acv_corp else 0 end) "
        "from marts.fct_campaign_attribution group by all",
    )
    assert len(rows) == 7
    for model, credited, unattributed in rows:
        assert credited == pytest.approx(expected, rel=1e-9), model
        assert 0 < unattributed < credited, model


def test_attribution_has_paths_to_weigh_on_the_committed_sample(db):
    """Weights sum to 1 per deal and model; the sample gives the multi-touch models deals with
    three or more touches, and every model single-touch and untouched deals; primary
    campaigns exist and leave deals without one."""
    rows = query(
        db,
        "select attribution_model, max(abs(total - 1)), max(touches), "
        "count(case when touches = 1 and not unattributed then 1 end), "
        "count(case when unattributed then 1 end) from ("
        "  select attribution_model, opportunity_id, sum(weight) as total, count(*) as touches, "
        "         bool_or(is_unattributed) as unattributed "
        "  from marts.fct_campaign_attribution group by all) group by all",
    )
    by_model = {r[0]: r[1:] for r in rows}
    assert set(by_model) == {"primary_source", *TOUCH_MODELS}
    for model in TOUCH_MODELS:
        worst, most, single, untouched = by_model[model]
        assert worst < 1e-9, model
        assert single > 0 and untouched > 0, model
        # a single-milestone model credits one touch; the others spread over the path
        assert most == 1 if model in ("first_touch", "last_touch") else most >= 3, model
    assert (
        by_model["primary_source"][3]
        < query(db, "select count(distinct opportunity_id) from marts.fct_campaign_attribution")[0][
            0
        ]
    )


def test_the_levers_add_up_to_pipeline_generation_and_carry_the_costs(db):
    ((levers_pipeline, levers_cost, unattributed_cost),) = query(
        db,
        "select sum(sourced_pipeline_w_shaped), sum(actual_cost), "
        "sum(case when marketing_lever = 'unattributed' then actual_cost end) "
        "from marts.mart_marketing_levers where lead_source = 'all'",
    )
    ((pipeline,),) = query(
        db,
        "select sum(credited_pipeline_corp) from marts.fct_campaign_attribution "
        "where attribution_model = 'w_shaped' and pipeline_created_date is not null",
    )
    ((cost,),) = query(
        db, "select sum(actual_cost) from marts.dim_campaign where start_date is not null"
    )
    assert levers_pipeline == pytest.approx(pipeline, rel=1e-9)
    assert levers_cost == pytest.approx(cost, rel=1e-9) and cost > 0
    assert unattributed_cost is None


def test_a_campaign_loop_is_reported_and_left_out_of_rollups(xs_landing, tmp_path):
    """A new Campaign batch makes a programme the child of its own tactic. The run still
    publishes; the hierarchy check warns; the programme and its tactics are named as a cycle,
    have no hierarchy rows, and their strategy's rollup loses exactly their cost."""
    landing = tmp_path / "landing"
    shutil.copytree(xs_landing, landing)
    campaigns = extract_current_state(landing, "crm", "Campaign")
    programme = campaigns[campaigns["Type"] == "Programme"].iloc[0]
    tactics = campaigns[campaigns["ParentId"] == programme["Id"]]
    looped = programme.copy()
    looped["ParentId"] = tactics["Id"].iloc[0]
    looped["SystemModstamp"] = "2026-11-13T12:00:00Z"
    newest = max(p.name for p in (landing / "crm" / "Opportunity").glob("*.csv"))
    pd.DataFrame([looped]).to_csv(landing / "crm" / "Campaign" / newest, index=False)

    warehouse = tmp_path / "warehouse"
    result = run_refresh(landing, warehouse)
    assert result.success, failures(result)
    manifest = json.loads((warehouse / "published" / "manifest.json").read_text())
    checks = {c["check"]: c["outcome"] for c in manifest["checks"]}
    assert checks["assert_campaign_hierarchy_is_sound"] == "warned"

    db = warehouse / "published" / "analytics.duckdb"
    in_loop = {programme["Id"], *tactics["Id"]}
    issues = dict(query(db, "select campaign_id, hierarchy_issue from marts.dim_campaign"))
    assert {issues[c] for c in in_loop} == {"cycle"}
    assert not query(
        db,
        "select campaign_id from marts.mart_campaign_performance where scope = 'hierarchy' "
        f"and campaign_id in ({', '.join(repr(c) for c in in_loop)})",
    )
    strategy = programme["ParentId"]
    cost = campaigns.set_index("Id")["ActualCost"].replace("", "0").astype(float)
    sound = _descendants(campaigns)[strategy] - in_loop
    ((rolled_up,),) = query(
        db,
        "select actual_cost from marts.mart_campaign_performance where scope = 'hierarchy' "
        f"and fiscal_period = 'lifetime' and campaign_id = '{strategy}'",
    )
    assert rolled_up == pytest.approx(cost[list(sound)].sum(), rel=1e-9)
