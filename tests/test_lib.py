"""Plain tests of the pure helpers."""

import os
import sys
import threading
from datetime import date
from types import SimpleNamespace

import pytest

from dagster_project.lib import warmup
from dagster_project.lib.batches import as_of_date, batch_date
from dagster_project.lib.naming import dedupe_names, folder_key, to_snake_case
from dagster_project.lib.suites import outcome, suite_columns


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


def _suite(*expectations):
    return {"name": "m", "expectations": [{"type": t, "kwargs": k} for t, k in expectations]}


def test_suite_columns_are_the_columns_its_expectations_name():
    suite = _suite(
        ("expect_column_values_to_not_be_null", {"column": "b"}),
        ("expect_column_pair_values_a_to_be_greater_than_b", {"column_A": "c", "column_B": "a"}),
        ("expect_compound_columns_to_be_unique", {"column_list": ["a", "d"]}),
    )
    assert suite_columns(suite) == ["b", "c", "a", "d"]


@pytest.mark.parametrize(
    "expectation",
    [
        ("expect_table_row_count_to_be_between", {"min_value": 1}),
        ("expect_column_values_to_not_be_null", {"column": "a", "row_condition": 'b=="x"'}),
    ],
)
def test_suite_columns_are_all_columns_for_table_level_or_conditional_expectations(expectation):
    suite = _suite(("expect_column_values_to_not_be_null", {"column": "a"}), expectation)
    assert suite_columns(suite) is None


def test_run_lock_waits_then_stops_with_the_holder_named(tmp_path):
    from dagster_project.lib.lock import WarehouseLocked, run_lock

    said = []
    # flock is per open file: a second open in this process contends like another process
    with (
        run_lock(tmp_path, "first run", wait_seconds=5),
        pytest.raises(WarehouseLocked) as err,
        run_lock(tmp_path, "second run", 0.3, on_wait=said.append, poll_seconds=0.1),
    ):
        pass
    message = str(err.value)
    assert f"by PID {os.getpid()} (first run)" in message
    assert "waited 0s and stopped before changing anything" in message
    assert said and said[0].startswith("waiting for run started")
    with run_lock(tmp_path, "third run", 0):  # released: taken at once
        pass


def test_locate_rows_names_batch_and_row_of_offending_records():
    import pandas as pd

    from dagster_project.quality.checks import locate_rows

    frame = pd.DataFrame(
        {
            "created_at": [None, "2026-01-01", None],
            "p": [5.0, 0.5, 0.2],
            "source_batch": ["b2", "b1", "b1"],
            "source_row_number": [7, 1, 3],
        }
    )
    nulls = locate_rows(frame, "expect_column_values_to_not_be_null", {"column": "created_at"}, {})
    assert nulls == ["batch b1 row 3", "batch b2 row 7"]
    between = locate_rows(
        frame, "expect_column_values_to_be_between", {"column": "p"},
        {"partial_unexpected_list": [5.0]},
    )  # fmt: skip
    assert between == ["batch b2 row 7"]
    assert locate_rows(frame.drop(columns="source_batch"), "x", {"column": "p"}, {}) == []


def test_gx_frame_is_a_repeatable_sample_of_about_max_rows_with_the_lineage(tmp_path):
    import duckdb

    from dagster_project.quality.checks import _dataframe

    db = tmp_path / "work.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute(
            "create table t as select i as x, i * 2 as y, 'b' || (i % 3) as source_batch, "
            "i as source_row_number from range(50000) as r(i)"
        )
    settings = SimpleNamespace(work_db=db)
    frame, total = _dataframe(settings, "main", "t", 10_000, ["x"])
    again, _ = _dataframe(settings, "main", "t", 10_000, ["x"])
    assert total == 50_000
    assert 9_000 < len(frame) < 11_000  # Bernoulli: about max_rows, not exactly
    assert list(frame.columns) == ["x", "source_batch", "source_row_number"]
    assert frame.equals(again)  # the same rows each time: a failure can be looked at again
    assert frame["x"].nunique() == len(frame) and frame["x"].max() > 40_000  # spread, no repeats
    whole, total = _dataframe(settings, "main", "t", 50_000, None)
    assert total == len(whole) == 50_000 and list(whole.columns) == [
        "x", "y", "source_batch", "source_row_number"
    ]  # fmt: skip


def test_env_number_reads_a_setting_or_names_it_when_it_is_not_a_number(monkeypatch):
    from dagster_project.lib.env import env_number

    monkeypatch.delenv("FUNNEL_PROBE", raising=False)
    assert env_number("FUNNEL_PROBE", 30.0) == 30.0
    monkeypatch.setenv("FUNNEL_PROBE", " ")
    assert env_number("FUNNEL_PROBE", 30.0) == 30.0  # empty counts as unset
    monkeypatch.setenv("FUNNEL_PROBE", "2.5")
    assert env_number("FUNNEL_PROBE", 30.0, unit="seconds") == 2.5
    monkeypatch.setenv("FUNNEL_PROBE", "4")
    assert env_number("FUNNEL_PROBE", 2, kind=int) == 4
    monkeypatch.setenv("FUNNEL_PROBE", "4.5")
    with pytest.raises(ValueError) as err:
        env_number("FUNNEL_PROBE", 2, kind=int, unit="workers")
    assert str(err.value) == (
        "FUNNEL_PROBE='4.5' is not a whole number of workers: set it to one (the default is 2) "
        "or unset it."
    )


def test_warmup_imports_what_was_asked_once_on_a_side_thread(tmp_path, monkeypatch):
    name = "funnel_warmup_probe"
    (tmp_path / f"{name}.py").write_text(
        "import threading\nimported_on = threading.current_thread().name\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, name, raising=False)
    warmup.start_pending()  # whatever this process asked for before
    assert warmup.start_pending() == []  # nothing asked for: nothing imported
    assert name not in sys.modules
    warmup.import_later(name)
    warmup.import_later(name)
    assert warmup.start_pending() == [name]
    assert warmup.start_pending() == []
    thread_name = f"import {name}"
    for thread in threading.enumerate():
        if thread.name == thread_name:
            thread.join(timeout=30)
    probe = sys.modules[name]
    assert probe.imported_on == thread_name
    monkeypatch.delitem(sys.modules, name)


def test_partition_changes_keep_the_days_in_order():
    from dagster_project.lib.batches import days_from_to, partition_changes

    assert days_from_to(date(2026, 12, 30), date(2027, 1, 2)) == [
        "2026-12-30",
        "2026-12-31",
        "2027-01-01",
        "2027-01-02",
    ]
    assert partition_changes([], ["b", "a"]) == ([], ["a", "b"])
    assert partition_changes(["a", "b"], ["b", "c"]) == ([], ["c"])
    # an earlier day: the later keys go and come back after it
    assert partition_changes(["a", "c", "d"], ["b"]) == (["c", "d"], ["b", "c", "d"])
    assert partition_changes(["a", "b"], ["a"]) == ([], [])


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("001A0000006Vm9r", "001A0000006Vm9rIAC"),  # Salesforce's documented example
        ("006A0000001abcd", "006A0000001abcdIAA"),
        ("006A0000001ABCD", "006A0000001ABCDIA4"),
        ("001A0000006Vm9rIAC", "001A0000006Vm9rIAC"),  # already 18 characters
        ("not-an-id-at-al", "not-an-id-at-al"),  # 15 characters, not alphanumeric
        ("", ""),
    ],
)
def test_salesforce_ids_become_18_characters_in_python_and_sql(given, expected):
    import duckdb

    from dagster_project.lib.naming import salesforce_id_18, salesforce_id_18_sql

    assert salesforce_id_18(given) == expected
    con = duckdb.connect()
    sql = f"select {salesforce_id_18_sql('v')} from (select ? as v)"
    assert con.execute(sql, [given]).fetchone()[0] == expected


def test_row_drop_names_the_mart_and_both_counts():
    from dagster_project.quality.guards import row_drop

    assert row_drop("m", 60, 100, 0.5) is None
    assert row_drop("m", 50, 100, 0.5) is None  # exactly the allowed share
    assert row_drop("m", 10, 0, 0.5) is None  # nothing published before
    assert row_drop("m", 49, 100, 0.5) == (
        "m has 49 rows, 100 in the published set: 51% fewer, more than the 50% "
        "FUNNEL_GUARD_MAX_ROW_DROP allows"
    )


def test_a_column_is_followed_down_to_the_extract_columns_it_comes_from():
    from dagster_project.lib.lineage import to_sources

    lineage = {
        "marts/mart": {"acv": ["int/x.acv", "int/x.rate"], "day": []},
        "int/x": {"acv": ["stg/opp.acv_local", "stg/opp.amount"], "rate": ["stg/fx.rate"]},
        "stg/opp": {"acv_local": ["crm/opportunity.acv_c"], "amount": ["crm/opportunity.amount"]},
        "stg/fx": {"rate": ["crm/dated_conversion_rate.conversion_rate", "stg/fx.rate"]},
    }
    assert to_sources(lineage, "marts/mart", "acv") == [
        "crm/dated_conversion_rate.conversion_rate",
        "crm/opportunity.acv_c",
        "crm/opportunity.amount",
    ]
    assert to_sources(lineage, "marts/mart", "day") == []  # generated, from no column


def test_lineage_cache_is_shared_merged_and_forgets_what_no_run_used(tmp_path, monkeypatch):
    """Two warehouses save into the project's one cache file: both runs' entries stay, an entry
    no run used for CACHE_KEEP_DAYS is dropped, and an unreadable file counts as empty."""
    import json

    import dagster as dg

    from dagster_project.transform import metadata

    path = tmp_path / "target" / "lineage-cache.json"
    lineage = {"dagster/column_lineage": dg.TableColumnLineage(deps_by_column={})}
    metadata._save_cache(path, {"a": lineage, "b": lineage}, {"a"})
    metadata._save_cache(path, {"c": lineage}, {"c"})
    assert set(metadata._load_cache(path)) == {"a", "c"}
    assert metadata._load_cache(path)["a"] == lineage

    later = os.stat(path).st_mtime + (metadata.CACHE_KEEP_DAYS + 1) * 86400
    monkeypatch.setattr(metadata.time, "time", lambda: later)
    metadata._save_cache(path, {"c": lineage}, {"c"})
    assert set(json.loads(path.read_text())) == {"c"}
    assert not list(path.parent.glob("*.tmp"))

    path.write_text("{not json")
    assert metadata._load_cache(path) == {}
