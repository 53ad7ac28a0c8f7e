"""Ingestion into the work warehouse: real DuckDB files, real extract files."""

import shutil
from pathlib import Path

import duckdb
import pytest
from support import fivetran_landing

from dagster_project.ingest.contract import CONTRACTS, get_contract
from dagster_project.ingest.discover import discover
from dagster_project.ingest.load import (
    IngestError,
    blank_expr,
    load_object,
    load_objects,
    qident,
    reject_condition_expr,
    reject_reason_expr,
    typed_expr,
    typed_name,
)


def _load_all(con, landing: Path, run_id: str = "test"):
    return {c.name: load_object(con, c, discover(landing, c), run_id=run_id) for c in CONTRACTS}


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_xs_sample_loads_every_row(xs_landing, tmp_path):
    con = duckdb.connect(str(tmp_path / "work.duckdb"))
    summaries = _load_all(con, xs_landing)
    for c in CONTRACTS:
        files = discover(xs_landing, c)
        assert files, f"the xs sample has no {c.source}/{c.name} batches"
        expected = con.execute(
            f"select count(*) from read_csv({[str(f.path) for f in files]}, all_varchar = true)"
        ).fetchall()[0][0]
        s = summaries[c.name]
        assert s.rows_rejected == 0, (c.name, s.reject_reasons)
        assert s.table_rows == expected, c.name
    # lineage columns are filled and batches are ordered
    row = con.execute(
        "select count(distinct _batch), min(_batch), max(_row_number) > 0 from crm.opportunity"
    ).fetchall()[0]
    assert row[0] >= 10, "the full extract plus daily incremental batches"
    assert row[1] == "20261030T235959Z" and row[2]


def test_objects_loaded_side_by_side_equal_one_after_another(xs_landing, tmp_path):
    """Two objects loading at once on their own cursors give the same tables and load log."""
    work = [(c, discover(xs_landing, c)) for c in CONTRACTS]

    def load(name: str, workers: int):
        con = duckdb.connect(str(tmp_path / f"{name}.duckdb"))
        outcomes = dict(load_objects(con, work, run_id="r", workers=workers))
        assert sorted(c.name for c in outcomes) == sorted(c.name for c in CONTRACTS)
        assert not [o for o in outcomes.values() if isinstance(o, IngestError)]
        tables = {
            c.name: con.execute(
                f"select count(*), sum(hash(columns(* exclude (_loaded_at)))) "
                f'from {c.source}."{c.table}"'
            ).fetchall()[0]
            for c in CONTRACTS
        }
        log = con.execute(
            "select object, batch, status, rows_loaded from ingest.load_log order by all"
        ).fetchall()
        return tables, log

    one_by_one, side_by_side = load("one", 1), load("two", 2)
    assert side_by_side == one_by_one
    assert len(side_by_side[1]) == sum(len(batches) for _, batches in work)


def test_reloading_the_same_batches_changes_nothing(xs_landing, tmp_path):
    con = duckdb.connect(str(tmp_path / "work.duckdb"))
    _load_all(con, xs_landing, run_id="first")

    def state():
        counts = {
            c.name: con.execute(f'select count(*) from {c.source}."{c.table}"').fetchall()[0][0]
            for c in CONTRACTS
        }
        log = con.execute("select count(*) from ingest.load_log").fetchall()[0][0]
        return counts, log

    before = state()
    second = _load_all(con, xs_landing, run_id="second")
    assert all(f.status == "skipped" for s in second.values() for f in s.files)
    assert state() == before


def test_same_bytes_under_a_new_name_are_not_loaded_twice(tmp_path):
    landing = tmp_path / "landing"
    text = "Id,Name\nu1,Ann\n"
    _write(landing / "crm" / "user" / "20260101T000000Z.csv", text)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    contract = get_contract("crm", "user")
    load_object(con, contract, discover(landing, contract))
    _write(landing / "crm" / "User" / "20260102T000000Z.csv", text)
    s = load_object(con, contract, discover(landing, contract))
    assert [f.status for f in s.files] == ["skipped", "skipped"]
    assert s.table_rows == 1


def test_contract_violations_go_to_rejects_with_reasons(tmp_path):
    landing = tmp_path / "landing"
    path = _write(
        landing / "crm" / "Opportunity" / "20260101T000000Z.csv",
        "Id,StageName,CloseDate,CreatedDate,Amount,Probability,My_Custom__c\n"
        "o1,Prospecting,2026-03-01,2026-01-01T10:00:00Z,100.5,10,x\n"
        "o2,Prospecting,31/02/2026,2026-01-01T10:00:00+02:00,abc,10,y\n"
        ",Prospecting,2026-03-01,2026-01-01,5,10,z\n"
        "o4,Closed Won,2026-03-01,2026-01-01 12:30:00,7,1000,w\n",
    )
    before = path.read_bytes()
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    contract = get_contract("crm", "opportunity")
    s = load_object(con, contract, discover(landing, contract), run_id="r")
    assert path.read_bytes() == before, "landing files are never modified"
    assert s.rows_loaded == 2 and s.rows_rejected == 2
    rejects = dict(
        con.execute("select row_number, reason from ingest.rejects order by 1").fetchall()
    )
    assert rejects[2] == (
        "amount: cannot read 'abc' as money; close_date: cannot read '31/02/2026' as date"
    )
    assert rejects[3] == "id: required value is missing"
    rows = con.execute(
        "select id, amount, probability, created_date, my_custom_c, acv_c, _row_number "
        "from crm.opportunity order by id"
    ).fetchall()
    # typed values, UTC timestamps, custom field passed through, absent optional column null
    assert rows[0][:5] == ("o1", pytest.approx(100.5), 10.0, rows[0][3], "x")
    assert str(rows[0][3]) == "2026-01-01 10:00:00"
    assert str(rows[1][3]) == "2026-01-01 12:30:00"
    assert rows[0][5] is None and rows[1][2] == 1000.0  # out-of-range kept raw for staging
    assert [r[6] for r in rows] == [1, 4]
    record = con.execute("select record from ingest.rejects where row_number = 2").fetchall()[0][0]
    assert '"amount":"abc"' in record.replace(" ", "")


# Text a column may hold: empty, blank, padded, readable and unreadable for each contract type.
_AWKWARD_VALUES = [
    None,
    "",
    " ",
    "  x ",
    "abc",
    "0",
    "1",
    " 12 ",
    "12.0",
    "12.5",
    "-3",
    "1e3",
    "true",
    " yes ",
    "N",
    "2026-02-28",
    " 2026-02-28 ",
    "2026-02-31",
    "31/02/2026",
    "2026-02-28T10:00:00Z",
    "2026-02-28 10:00:00+05:30",
    "2026-02-28T10:00:00.123+0000",
    "infinity",
    "1,5",
    "€12",
]


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: f"{c.source}.{c.name}")
def test_the_fast_reject_test_agrees_with_the_reasons(contract):
    """Accepted rows are chosen by ``reject_condition_expr`` and reasons come from
    ``reject_reason_expr``: for every awkward value in every column (the others kept valid and
    blank in turn) a row is rejected by one exactly when the other gives it a reason."""
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    names = [c.name for c in contract.columns]
    good = {
        "string": "x",
        "boolean": "true",
        "integer": "7",
        "double": "1.5",
        "money": "2.25",
        "date": "2026-01-02",
        "timestamp": "2026-01-02T03:04:05Z",
    }
    rows = []
    for column in contract.columns:
        for filler in ("valid", "blank"):
            base = {c.name: (good[c.type] if filler == "valid" else None) for c in contract.columns}
            rows += [{**base, column.name: v} for v in _AWKWARD_VALUES]
    con.execute(f"create table t ({', '.join(f'{qident(n)} varchar' for n in names)})")
    con.executemany(
        f"insert into t values ({', '.join('?' for _ in names)})",
        [[r[n] for n in names] for r in rows],
    )
    present = set(names)
    casts = "".join(
        f", {typed_expr(c.name, c.type)} as {qident(typed_name(c.name))}"
        for c in contract.columns
        if c.type != "string"
    )
    disagree = con.execute(
        f"select * from (select *{casts}, {reject_reason_expr(contract, present)} as reason, "
        f"{reject_condition_expr(contract, present)} as rejected from t) "
        "where rejected is distinct from (reason is not null)"
    ).fetchall()
    assert not disagree, disagree[:3]
    # the rules do reject something here, so the comparison is not between two empty sets
    assert (
        con.execute(
            f"select count(*) from t where {reject_condition_expr(contract, present)}"
        ).fetchall()[0][0]
        > 0
    )


# Whitespace `trim` removes (no-break, em and ideographic spaces) and whitespace it keeps (tab,
# newline), which some casts skip by themselves.
_UNICODE_PADDING = ["\u00a0", "\u2003", "\u3000", "\t", "\n"]


def _trim_first(v: str, contract_type: str) -> str:
    """The reading the contract defines: trim, blank is NULL, then cast (the slow way)."""
    text = f"nullif(trim({v}), '')"
    sql_type = {
        "double": "double",
        "money": "decimal(38, 6)",
        "date": "date",
        "timestamp": "timestamptz",
    }.get(contract_type)
    if sql_type:
        cast = f"try_cast({text} as {sql_type})"
        return f"({cast} at time zone 'UTC')" if contract_type == "timestamp" else cast
    if contract_type == "integer":
        whole, number = f"try_cast({text} as bigint)", f"try_cast({text} as double)"
        return (
            f"case when {whole} = {number} then {whole} "
            f"when {number} = floor({number}) then try_cast({number} as bigint) end"
        )
    if contract_type == "boolean":
        return (
            f"case when lower({text}) in ('true', 't', '1', 'yes', 'y') then true "
            f"when lower({text}) in ('false', 'f', '0', 'no', 'n') then false end"
        )
    return f"nullif({v}, '')"


def test_casts_and_blank_tests_read_values_as_trimmed_text_would():
    """``typed_expr`` casts a value as it is and trims only when that fails, and ``blank_expr``
    trims only values not starting with printable ASCII; both must give exactly what trimming
    every value first gives, for padded, blank, unreadable and Unicode-padded values."""
    values = [v for v in _AWKWARD_VALUES if v is not None]
    values += [p + v for p in _UNICODE_PADDING for v in values] + [
        v + p for p in _UNICODE_PADDING for v in values
    ]
    values += [*_UNICODE_PADDING, None, "9223372036854775808", "-0", "nan", "2026-02-28 10:00"]
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    con.execute("create table t (v varchar)")
    con.executemany("insert into t values (?)", [[v] for v in values])
    for contract_type in ("boolean", "integer", "double", "money", "date", "timestamp"):
        differ = con.execute(
            f"select v, {typed_expr('v', contract_type)}, {_trim_first('v', contract_type)} "
            f"from t where {typed_expr('v', contract_type)}::varchar "
            f"is distinct from {_trim_first('v', contract_type)}::varchar"
        ).fetchall()
        assert not differ, (contract_type, differ[:5])
    differ = con.execute(
        f"select v from t where {blank_expr('v')} is distinct from coalesce(trim(v), '') = ''"
    ).fetchall()
    assert not differ, differ[:5]
    # whole numbers only, exactly: DuckDB's own cast rounds "12.5" to 13
    integers = con.execute(
        f"select {typed_expr('v', 'integer')} from (values ('12.5'), (' 12.0 '), ('1e3'), "
        "('9007199254740993'), ('-0')) as t(v)"
    ).fetchall()
    assert [r[0] for r in integers] == [None, 12, 1000, 9007199254740993, 0]
    # the values do exercise both readings: some read only once trimmed, some are blank
    read_once_trimmed, blank = con.execute(
        "select count(*) filter (where try_cast(v as date) is null "
        "and try_cast(nullif(trim(v), '') as date) is not null), "
        f"count(*) filter (where {blank_expr('v')} and v is not null) from t"
    ).fetchall()[0]
    assert read_once_trimmed > 0 and blank > 0


def test_offsets_are_converted_to_utc(tmp_path):
    landing = tmp_path / "landing"
    _write(
        landing / "marketing" / "visitor" / "b1.csv",
        "visitor_id,first_seen_at\nv1,2026-01-01T10:00:00+02:00\nv2,2026-01-01T10:00:00Z\n",
    )
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    c = get_contract("marketing", "visitor")
    load_object(con, c, discover(landing, c))
    got = con.execute("select visitor_id, first_seen_at::varchar from marketing.visitor").fetchall()
    assert sorted(got) == [("v1", "2026-01-01 08:00:00"), ("v2", "2026-01-01 10:00:00")]


def test_missing_required_column_rejects_the_batch_with_a_clear_error(tmp_path):
    landing = tmp_path / "landing"
    _write(landing / "crm" / "lead" / "20260101T000000Z.csv", "Email,Company\na@b.c,Acme\n")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    c = get_contract("crm", "lead")
    with pytest.raises(IngestError) as err:
        load_object(con, c, discover(landing, c))
    message = str(err.value)
    assert "crm/lead/20260101T000000Z.csv" in message
    assert "required column(s) id" in message and "re-export" in message
    log = con.execute("select status, message from ingest.load_log").fetchall()
    assert log[0][0] == "rejected" and "id" in log[0][1]
    assert con.execute("select count(*) from crm.lead").fetchall()[0][0] == 0


def test_unparseable_file_names_file_and_keeps_other_batches(tmp_path):
    landing = tmp_path / "landing"
    _write(landing / "crm" / "user" / "20260101T000000Z.csv", "Id,Name\nu1,Ann\n")
    _write(landing / "crm" / "user" / "20260102T000000Z.csv", 'Id,Name\nu2,"Bob\nu3,Cy,extra\n')
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    c = get_contract("crm", "user")
    with pytest.raises(IngestError) as err:
        load_object(con, c, discover(landing, c))
    assert str(err.value).startswith(
        'crm/user/20260102T000000Z.csv: line 2 opens a quoted value (") that is never closed'
    )
    assert con.execute("select id from crm.user").fetchall() == [("u1",)]


def test_header_only_and_empty_files(tmp_path):
    landing = tmp_path / "landing"
    _write(landing / "crm" / "user" / "a.csv", "Id,Name\n")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    c = get_contract("crm", "user")
    s = load_object(con, c, discover(landing, c))
    assert s.rows_loaded == 0 and s.files[0].status == "loaded"
    _write(landing / "crm" / "user" / "b.csv", "")
    with pytest.raises(IngestError, match=r"crm/user/b\.csv: the file is empty"):
        load_object(con, c, discover(landing, c))


def test_fivetran_salesforce_extracts_load_without_crashing(external_dir, tmp_path):
    """Wide, obfuscated, schema-drifted real-world extracts (Fivetran's integration tests)."""
    src = external_dir("fivetran_salesforce")
    landing = tmp_path / "landing"
    assert fivetran_landing(src, None, landing) >= 10
    before = {p: p.read_bytes() for p in src.glob("*.csv")}
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    summaries = {}
    for c in CONTRACTS:
        summaries[c.name] = load_object(con, c, discover(landing, c), run_id="ft")
    assert {p: p.read_bytes() for p in src.glob("*.csv")} == before
    assert summaries["opportunity"].table_rows > 0
    assert summaries["contact"].table_rows > 0
    # hundreds of custom fields are passed through as text columns
    n_cols = con.execute(
        "select count(*) from information_schema.columns where table_name = 'contact'"
    ).fetchall()[0][0]
    assert n_cols > 300
    # whatever breaks the contract is rejected with a reason, never silently dropped
    for reason, n in con.execute(
        "select reason, count(*) from ingest.rejects group by 1"
    ).fetchall():
        assert ": " in reason and n > 0
    loaded = sum(s.rows_loaded for s in summaries.values())
    rejected = sum(s.rows_rejected for s in summaries.values())
    read = con.execute("select sum(rows_read) from ingest.load_log").fetchall()[0][0]
    assert loaded + rejected == read


def test_unknown_folders_are_reported(tmp_path):
    from dagster_project.ingest.discover import unknown_folders

    (tmp_path / "crm" / "Order").mkdir(parents=True)
    (tmp_path / "crm" / "Opportunity").mkdir(parents=True)
    assert [p.name for p in unknown_folders(tmp_path)] == ["Order"]
    shutil.rmtree(tmp_path / "crm")


def test_salesforce_ids_in_15_and_18_characters_are_one_record(tmp_path):
    """Salesforce exports a record id in a case-sensitive 15-character form or the 18-character
    form; both load as the 18-character id, so one record in both forms is one record, and two
    ids that differ only in case stay two records."""
    landing = tmp_path / "landing"
    _write(
        landing / "crm" / "Account" / "20261101T000000Z.csv",
        "Id,Name\n001A0000006Vm9rIAC,Acme\n",
    )
    header = "Id,AccountId,StageName,CloseDate,CreatedDate,SystemModstamp\n"
    _write(
        landing / "crm" / "Opportunity" / "20261101T000000Z.csv",
        header
        + "006A0000001abcd,001A0000006Vm9r,Prospecting,2026-12-01,2026-11-01,2026-11-01\n"
        + "006A0000001ABCD,001A0000006Vm9r,Prospecting,2026-12-01,2026-11-01,2026-11-01\n",
    )
    _write(
        landing / "crm" / "Opportunity" / "20261102T000000Z.csv",
        header + "006A0000001abcdIAA,001A0000006Vm9rIAC,Discovery,2026-12-01,2026-11-01,"
        "2026-11-02\n",
    )
    con = duckdb.connect(str(tmp_path / "work.duckdb"))
    for name in ("account", "opportunity"):
        contract = get_contract("crm", name)
        load_object(con, contract, discover(landing, contract), run_id="t")
    rows = con.execute(
        "select id, account_id, _batch from crm.opportunity order by _batch, id"
    ).fetchall()
    assert rows == [
        ("006A0000001ABCDIA4", "001A0000006Vm9rIAC", "20261101T000000Z"),
        ("006A0000001abcdIAA", "001A0000006Vm9rIAC", "20261101T000000Z"),
        ("006A0000001abcdIAA", "001A0000006Vm9rIAC", "20261102T000000Z"),
    ]
    joined = con.execute(
        "select count(*) from crm.opportunity as o join crm.account as a on o.account_id = a.id"
    ).fetchall()
    assert joined == [(3,)]
