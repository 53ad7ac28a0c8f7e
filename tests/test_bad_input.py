"""The bad-input catalogue, file by file (docs/bad-input.md): each case loads a small fixture
extract built here into a real DuckDB file and checks the decided behaviour and message."""

import gzip
import io
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from dagster_project.ingest.contract import get_contract
from dagster_project.ingest.discover import discover
from dagster_project.ingest.load import IngestError, load_object


def _land(landing: Path, rel: str, data: bytes) -> Path:
    path = landing / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _load(tmp_path: Path, obj: str, source: str = "crm"):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    contract = get_contract(source, obj)
    return con, load_object(con, contract, discover(tmp_path / "landing", contract), run_id="t")


def _log(con) -> list[tuple]:
    return con.execute("select batch, status, message from ingest.load_log order by 1").fetchall()


def test_semicolon_delimited_file_is_read_by_its_header(tmp_path):
    _land(tmp_path / "landing", "crm/User/a.csv", b"Id;Name;IsActive\nu1;Ann;true\nu2;Bo, Jr;0\n")
    con, s = _load(tmp_path, "user")
    assert s.rows_loaded == 2 and s.rows_rejected == 0
    rows = con.execute("select id, name, is_active from crm.user order by id").fetchall()
    assert rows == [("u1", "Ann", True), ("u2", "Bo, Jr", False)]
    assert _log(con)[0][2] == "delimiter ';' (from the header line)"


def test_latin1_bytes_are_read_as_latin1_and_the_load_log_says_so(tmp_path):
    _land(tmp_path / "landing", "crm/User/a.csv", "Id,Name\nu1,José Müller\n".encode("latin-1"))
    con, _ = _load(tmp_path, "user")
    assert con.execute("select name from crm.user").fetchall() == [("José Müller",)]
    assert _log(con)[0][2].startswith("not valid UTF-8, read as Latin-1")


def test_utf8_byte_order_mark_is_not_part_of_the_first_column(tmp_path):
    _land(tmp_path / "landing", "crm/User/a.csv", "\ufeffId,Name\nu1,Zoë\n".encode())
    con, _ = _load(tmp_path, "user")
    assert con.execute("select id, name from crm.user").fetchall() == [("u1", "Zoë")]
    assert _log(con)[0][2] == ""


def test_truncated_gzip_rejects_the_batch_and_says_it_was_cut_off(tmp_path):
    body = b"Id,Name\n" + b"".join(f"u{i},Name {i}\n".encode() for i in range(20_000))
    data = gzip.compress(body)
    path = _land(tmp_path / "landing", "crm/User/20260101T000000Z.csv.gz", data[: len(data) // 2])
    before = path.read_bytes()
    with pytest.raises(IngestError) as err:
        _load(tmp_path, "user")
    msg = str(err.value)
    assert msg.startswith("crm/User/20260101T000000Z.csv.gz: the file cannot be read as CSV")
    assert "ends early" in msg and "re-export" in msg
    assert "LINE 1" not in msg and str(tmp_path) not in msg  # no SQL echo, no absolute path
    assert path.read_bytes() == before
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    assert _log(con)[0][1] == "rejected" and con.execute("select count(*) from crm.user").fetchall()


def test_parquet_and_jsonl_batches_load_like_csv(tmp_path):
    landing = tmp_path / "landing"
    frame = pd.DataFrame(
        {
            "Id": ["006A"],
            "StageName": ["Prospecting"],
            "CloseDate": [pd.Timestamp("2026-03-01").date()],
            "CreatedDate": [pd.Timestamp("2026-01-01 10:00", tz="Europe/Berlin")],
            "Amount": [1234.5],
        }
    )
    buf = io.BytesIO()
    frame.to_parquet(buf)
    _land(landing, "crm/Opportunity/20260101T000000Z.parquet", buf.getvalue())
    _land(
        landing,
        "crm/Opportunity/20260102T000000Z.jsonl",
        b'{"Id": "006B", "StageName": "Discovery", "CloseDate": "2026-04-01", '
        b'"CreatedDate": "2026-01-02T10:00:00Z", "Amount": "99", "Extra__c": {"a": 1}}\n'
        b'{"Id": "006C", "StageName": "Discovery", "CloseDate": "2026-04-31", '
        b'"CreatedDate": "2026-01-02T10:00:00Z", "Amount": null}\n',
    )
    con, _ = _load(tmp_path, "opportunity")
    rows = con.execute(
        "select id, close_date::varchar, created_date::varchar, amount::double, extra_c "
        "from crm.opportunity order by id"
    ).fetchall()
    assert rows == [
        ("006A", "2026-03-01", "2026-01-01 09:00:00", 1234.5, None),
        ("006B", "2026-04-01", "2026-01-02 10:00:00", 99.0, '{"a":1}'),
    ]
    assert con.execute("select batch, row_number, reason from ingest.rejects").fetchall() == [
        ("20260102T000000Z", 2, "close_date: cannot read '2026-04-31' as date")
    ]


def test_four_hundred_custom_columns_pass_through(tmp_path):
    header = "Id,Name," + ",".join(f"Custom_Field_{i}__c" for i in range(400))
    row = "u1,Ann," + ",".join(str(i) for i in range(400))
    _land(tmp_path / "landing", "crm/User/a.csv", f"{header}\n{row}\n".encode())
    con, s = _load(tmp_path, "user")
    assert s.rows_loaded == 1
    got = con.execute("select custom_field_0_c, custom_field_399_c from crm.user").fetchall()
    assert got == [("0", "399")]
    # a later batch without them still loads; the columns stay, null for its rows
    _land(tmp_path / "landing", "crm/User/b.csv", b"Id,Name\nu2,Bo\n")
    con.close()
    con, s = _load(tmp_path, "user")
    assert con.execute("select count(*), count(custom_field_7_c) from crm.user").fetchall() == [
        (2, 1)
    ]


def test_timestamps_in_mixed_forms_are_read_as_utc(tmp_path):
    _land(
        tmp_path / "landing",
        "crm/Opportunity/a.csv",
        b"Id,StageName,CloseDate,CreatedDate\n"
        b"o1,S,2026-03-01,2026-01-01T10:00:00Z\n"
        b"o2,S,2026-03-01,2026-01-01T10:00:00+02:00\n"
        b"o3,S,2026-03-01,2026-01-01\n"
        b"o4,S,2026-03-01,2026-01-01 10:00:00\n"
        b"o5,S,2026-03-01,2026-01-01T10:00:00.000+0000\n",
    )
    con, s = _load(tmp_path, "opportunity")
    assert s.rows_rejected == 0
    got = dict(con.execute("select id, created_date::varchar from crm.opportunity").fetchall())
    assert got == {
        "o1": "2026-01-01 10:00:00",
        "o2": "2026-01-01 08:00:00",
        "o3": "2026-01-01 00:00:00",
        "o4": "2026-01-01 10:00:00",
        "o5": "2026-01-01 10:00:00",
    }


def test_required_value_missing_on_some_rows_rejects_those_rows_only(tmp_path):
    _land(
        tmp_path / "landing",
        "crm/Opportunity/a.csv",
        b"Id,StageName,CloseDate,CreatedDate\no1,S,2026-03-01,2026-01-01\n,S,2026-03-01,2026-01-01\n"
        b"o3,,2026-03-01,2026-01-01\n",
    )
    con, s = _load(tmp_path, "opportunity")
    assert (s.rows_loaded, s.rows_rejected) == (1, 2)
    reasons = con.execute("select row_number, reason, record from ingest.rejects order by 1")
    rows = reasons.fetchall()
    assert [(r[0], r[1]) for r in rows] == [
        (2, "id: required value is missing"),
        (3, "stage_name: required value is missing"),
    ]
    assert '"close_date":"2026-03-01"' in rows[1][2].replace(" ", "")  # the whole row is kept


@pytest.mark.parametrize(
    ("name", "data", "said"),
    [
        (
            "a.csv",
            b'Id,Name\nu1,Ann\n"u2,Bob\nu3,Cy\n',
            'a.csv: line 3 opens a quoted value (") that is never closed',
        ),
        (
            "a.csv",
            b'Id,Name\nu1,"Ann ""the"" first, of two"\nu2,Bob,Jr\n',
            "a.csv: line 3 has 3 field(s) where the header has 2",
        ),
        (
            "a.csv.gz",
            b"Id,Name\nu1,Ann\n",
            "a.csv.gz: the file is named .gz but is not gzip-compressed",
        ),
        (
            "a.csv.gz",
            gzip.compress(b""),
            "a.csv.gz: the compressed file holds nothing (0 bytes once decompressed",
        ),
        (
            "a.csv",
            "Id\tName\nu1\tAnn\n".encode("utf-16"),
            'a.csv: the file is encoded as UTF-16 (as Excel\'s "Unicode Text" saves it)',
        ),
    ],
    ids=["unclosed-quote", "ragged-row", "plain-named-gz", "empty-gz", "utf-16"],
)
def test_an_unreadable_file_is_named_with_its_own_cause(tmp_path, name, data, said):
    """Each cause gets its own sentence (file, line, what to do), never the reader's advice."""
    path = _land(tmp_path / "landing", f"crm/User/{name}", data)
    with pytest.raises(IngestError) as err:
        _load(tmp_path, "user")
    msg = str(err.value)
    assert msg.startswith(f"crm/User/{said}"), msg
    assert "run again" in msg
    for engine_text in ("Possible fixes", "strict_mode", "sniff", "missing header", "LINE 1"):
        assert engine_text not in msg, msg
    assert path.read_bytes() == data
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    assert _log(con) == [(name.split(".")[0], "rejected", msg)]


def test_a_column_earlier_batches_filled_and_a_new_batch_lacks_is_named(tmp_path, monkeypatch):
    """ACV__c dropped from an extract would make ACV fall back to Amount without a word: the
    batch is loaded, the load log says which column, and the object's columns_as_before check
    warns (or blocks, with FUNNEL_GUARD_MISSING_COLUMN=block)."""
    import dagster as dg

    from dagster_project.ingest.assets import _columns_result

    header = "Id,StageName,CloseDate,CreatedDate,Amount"
    _land(
        tmp_path / "landing",
        "crm/Opportunity/20261101T000000Z.csv",
        f"{header},ACV__c\n006A,Prospecting,2026-12-01,2026-11-01,100,80\n".encode(),
    )
    _land(
        tmp_path / "landing",
        "crm/Opportunity/20261102T000000Z.csv",
        f"{header}\n006B,Prospecting,2026-12-01,2026-11-02,200\n".encode(),
    )
    con, summary = _load(tmp_path, "opportunity")
    assert [f.columns_gone for f in summary.files] == [[], ["acv_c"]]
    log = _log(con)
    assert log[1][2] == (
        "column(s) acv_c of the previous batch are not in this batch: its rows have them empty"
    )
    contract = get_contract("crm", "opportunity")
    warned = _columns_result(contract, summary)
    assert not warned.passed and warned.severity == dg.AssetCheckSeverity.WARN
    assert warned.description.startswith(
        "crm/Opportunity/20261102T000000Z.csv lacks acv_c, which the previous batch of "
        "crm/opportunity had"
    )
    monkeypatch.setenv("FUNNEL_GUARD_MISSING_COLUMN", "block")
    assert _columns_result(contract, summary).severity == dg.AssetCheckSeverity.ERROR
