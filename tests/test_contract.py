"""The extract contract and what is derived from it."""

from pathlib import Path

import pytest

from dagster_project.ingest.contract import (
    CONTRACTS,
    SOURCES,
    find_contract,
    render_dbt_sources,
    sources_path,
)
from dagster_project.ingest.discover import split_extension

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("source", SOURCES)
def test_dbt_sources_are_rendered_from_the_contract(source):
    committed = sources_path(REPO, source).read_text()
    assert committed == render_dbt_sources(source), (
        "dbt sources are stale: run `make sources` after editing the contract"
    )


def test_every_contract_is_consistent():
    names = set()
    for c in CONTRACTS:
        assert (c.source, c.name) not in names
        names.add((c.source, c.name))
        cols = c.column_names
        assert len(cols) == len(set(cols)), c.name
        for k in c.key:
            assert k in cols, f"{c.name}: key column {k} is not a column"
        if c.modstamp:
            assert c.modstamp in cols, c.name
        assert c.description
        # every column is documented: the sources YAML is what analysts read in the UI
        undocumented = [col.name for col in c.columns if not col.description]
        assert not undocumented, f"{c.source}.{c.name}: {undocumented}"


def test_every_spec_object_is_in_the_contract():
    crm = [
        "User", "UserRole", "Account", "Contact", "Lead", "LeadHistory", "Opportunity",
        "OpportunityHistory", "OpportunityFieldHistory", "OpportunityStage",
        "OpportunityLineItem", "Product2", "OpportunityContactRole", "Campaign",
        "CampaignMember", "CampaignMemberStatus", "Task", "Event", "CurrencyType",
        "DatedConversionRate", "ForecastingQuota",
    ]  # fmt: skip
    for name in crm:
        assert find_contract("crm", name) is not None, name
    for name in ["prospect", "visitor", "activity"]:
        assert find_contract("marketing", name) is not None
    assert find_contract("plan", "target") is not None
    assert find_contract("crm", "user_role") is find_contract("crm", "UserRole")


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("20261113T235959Z.csv", ("20261113T235959Z", ".csv")),
        ("b.csv.gz", ("b", ".csv.gz")),
        ("b.parquet", ("b", ".parquet")),
        ("b.jsonl", ("b", ".jsonl")),
        (".hidden.csv", None),
        ("_partial.csv", None),
        ("b.csv.tmp", None),
        ("b.csv.part", None),
        ("notes.txt", None),
    ],
)
def test_batch_file_names(filename, expected):
    assert split_extension(filename) == expected
