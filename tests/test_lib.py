"""Plain tests of the pure helpers."""

from datetime import date

import pytest

from dagster_project.lib.batches import as_of_date, batch_date
from dagster_project.lib.naming import dedupe_names, folder_key, to_snake_case
from dagster_project.lib.suites import outcome


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("CreatedDate", "created_date"),
        ("Sales_Role__c", "sales_role_c"),
        ("ACV__c", "acv_c"),
        ("Product2Id", "product_2_id"),
        ("product_2_id", "product_2_id"),
        ("SystemModstamp", "system_modstamp"),
        ("IsDeleted", "is_deleted"),
        ("_fivetran_deleted", "_fivetran_deleted"),
        ("ConvertedOpportunityId", "converted_opportunity_id"),
        ("\ufeffId", "id"),
        ("First Name", "first_name"),
        ("NumberOfEmployees", "number_of_employees"),
        ("UserRoleId", "user_role_id"),
    ],
)
def test_to_snake_case(raw, expected):
    assert to_snake_case(raw) == expected


def test_folder_key_matches_styles():
    assert folder_key("UserRole") == folder_key("userrole") == folder_key("user_role")
    assert folder_key("Product2") == folder_key("product_2")
    assert folder_key("Lead") != folder_key("LeadHistory")


def test_dedupe_names():
    assert dedupe_names(["email", "email", "id", "email"]) == ["email", "email_1", "id", "email_2"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("20261113T235959Z", date(2026, 11, 13)),
        ("2026-11-13T23-59-59Z", date(2026, 11, 13)),
        ("2026-11-13", date(2026, 11, 13)),
        ("20261332T000000Z", None),
        ("full_extract", None),
    ],
)
def test_batch_date(name, expected):
    assert batch_date(name) == expected


def test_as_of_date_is_newest_batch_and_falls_back():
    assert as_of_date(["20261030T235959Z", "20261113T235959Z", "junk"]) == date(2026, 11, 13)
    assert as_of_date(["junk"], fallback=date(2020, 1, 1)) == date(2020, 1, 1)
    assert as_of_date([]) is None


def test_suite_outcome_maps_severities():
    assert outcome([("critical", True), ("warning", True)]) == (True, "WARN")
    assert outcome([("critical", True), ("warning", False)]) == (False, "WARN")
    assert outcome([("critical", False), ("warning", False)]) == (False, "ERROR")
    assert outcome([("info", False)]) == (False, "WARN")
