"""Loading extract batches into typed raw tables.

Everything row-shaped happens inside DuckDB: files are read with ``read_csv`` / ``read_parquet`` /
``read_json``, typed with ``try_cast`` and split into accepted and rejected rows in SQL. Python only
walks the list of files. Each file is loaded in one transaction, so a failure never leaves half a
batch behind, and the load log makes a reload of the same bytes a no-op.
"""

from __future__ import annotations

import gzip
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb

from dagster_project.ingest.contract import Column, ObjectContract
from dagster_project.ingest.diagnose import diagnose_csv, precheck
from dagster_project.ingest.discover import BatchFile, file_checksum
from dagster_project.lib.duck import fetch_one
from dagster_project.lib.env import env_number
from dagster_project.lib.naming import dedupe_names, salesforce_id_18_sql, to_snake_case

LINEAGE_COLUMNS = (
    ("_batch", "varchar"),
    ("_file", "varchar"),
    ("_row_number", "bigint"),
    ("_loaded_at", "timestamp"),
    ("_checksum", "varchar"),
)

_LOAD_LOG_DDL = """
create table if not exists ingest.load_log (
    source varchar, object varchar, batch varchar, file varchar, checksum varchar,
    status varchar, rows_read bigint, rows_loaded bigint, rows_rejected bigint,
    message varchar, loaded_at timestamp, run_id varchar
)"""
_REJECTS_DDL = """
create table if not exists ingest.rejects (
    source varchar, object varchar, batch varchar, file varchar, checksum varchar,
    row_number bigint, reason varchar, record json, loaded_at timestamp, run_id varchar
)"""


# The columns each loaded batch's header had (normalised), to name a column a new batch lacks.
_BATCH_COLUMNS_DDL = """
create table if not exists ingest.batch_columns (
    source varchar, object varchar, batch varchar, columns varchar[]
)"""


class IngestError(Exception):
    """A batch that cannot be loaded. The message names the file and says what to do."""


@dataclass
class FileResult:
    batch: BatchFile
    checksum: str
    status: str  # loaded | skipped (already loaded) | rejected
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    message: str = ""
    # Columns the object's previous batch had that this batch's header lacks.
    columns_gone: list[str] = field(default_factory=list)


@dataclass
class LoadSummary:
    contract: ObjectContract
    files: list[FileResult] = field(default_factory=list)
    table_rows: int = 0
    reject_reasons: list[tuple[str, int]] = field(default_factory=list)

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_rejected(self) -> int:
        return sum(f.rows_rejected for f in self.files)

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)


def qident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def qstr(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _try_cast(col: str, sql_type: str) -> str:
    """``col`` cast to ``sql_type`` after trimming; NULL when blank or unreadable.

    Values are cast as they are first and trimmed only when that fails: ``trim`` does Unicode
    work on every character, and on the 8.9M activities at scale l a trimmed timestamp cast took
    0.81 s against 0.16 s this way. Casting an untrimmed value that reads gives what casting it
    trimmed gives (a plain test compares the two on padded, blank and unreadable values).
    """
    v = qident(col)
    return f"coalesce(try_cast({v} as {sql_type}), try_cast(nullif(trim({v}), '') as {sql_type}))"


def blank_expr(col: str) -> str:
    """SQL true when ``col`` is NULL or only whitespace (what ``trim`` removes); never NULL.

    The same as ``coalesce(trim(v), '') = ''`` at half the cost: a value whose first character
    is printable ASCII cannot be blank, so only the others are trimmed.
    """
    v = qident(col)
    return f"({v} is null or ((ascii({v}) < 33 or ascii({v}) > 126) and trim({v}) = ''))"


def typed_expr(col: str, contract_type: str) -> str:
    """SQL turning the text value of ``col`` into its contract type; NULL when unreadable."""
    v = qident(col)
    if contract_type == "string":
        return f"nullif({v}, '')"
    if contract_type == "boolean":

        def flag(text: str) -> str:
            return (
                f"case when lower({text}) in ('true', 't', '1', 'yes', 'y') then true "
                f"when lower({text}) in ('false', 'f', '0', 'no', 'n') then false end"
            )

        # As in _try_cast: trimmed only when the value as it is reads as neither.
        return f"coalesce({flag(v)}, {flag(f'trim({v})')})"
    if contract_type == "integer":
        # "12.0" is an integer written by a spreadsheet; "12.5" is not, though DuckDB's cast
        # to bigint rounds it to 13: a cast that changed the number is no reading.
        whole, number = _try_cast(col, "bigint"), _try_cast(col, "double")
        return (
            f"case when {whole} = {number} then {whole} "
            f"when {number} = floor({number}) then try_cast({number} as bigint) end"
        )
    if contract_type == "double":
        return _try_cast(col, "double")
    if contract_type == "money":
        return _try_cast(col, "decimal(38, 6)")
    if contract_type == "date":
        return _try_cast(col, "date")
    if contract_type == "timestamp":
        # Offsets (Z, +02:00, +0000) are honoured; naive values are taken as UTC (the session
        # time zone is UTC). Stored as naive UTC timestamps.
        return f"({_try_cast(col, 'timestamptz')} at time zone 'UTC')"
    raise ValueError(contract_type)


def _readable_expr(c: Column) -> str:
    """Null exactly when ``typed_expr`` is: a timestamp skips the shift to UTC, which is
    per-row ICU work and cannot turn a value into NULL or back."""
    if c.type == "timestamp":
        return _try_cast(c.name, "timestamptz")
    return typed_expr(c.name, c.type)


def typed_name(col: str) -> str:
    """Column of the reasons view holding ``col`` cast to its contract type."""
    return f"__typed_{col}"


def _reject_rules(
    contract: ObjectContract,
    present: set[str],
    typed: Callable[[Column], str],
    conditions_only: bool = False,
) -> list[tuple[str, str]]:
    """(condition, reason) for each rule a row can break; ``typed`` gives a column's cast value.

    With ``conditions_only`` a required typed column gets one rule instead of two: it breaks one
    exactly when its cast is NULL (blank or unreadable), and the reason tells the two apart.
    """
    rules = []
    for c in contract.columns:
        if c.name not in present:
            continue
        v = qident(c.name)
        if conditions_only and c.required and c.type != "string":
            rules.append((f"{typed(c)} is null", ""))
            continue
        if c.required:
            rules.append((blank_expr(c.name), qstr(f"{c.name}: required value is missing")))
        if c.type != "string":
            # Cheapest term first: DuckDB evaluates an AND's second term only for rows the
            # first one passes.
            rules.append(
                (
                    f"({typed(c)} is null and not {blank_expr(c.name)})",
                    f"{qstr(c.name + ': cannot read ')} || {qstr(chr(39))} || left({v}, 40) || "
                    f"{qstr(chr(39) + ' as ' + c.type)}",
                )
            )
    for group in contract.required_any:
        cols = [g for g in group if g in present]
        cond = " and ".join(blank_expr(g) for g in cols) or "true"
        rules.append((f"({cond})", qstr(" or ".join(group) + ": one is required")))
    return rules


def reject_reason_expr(contract: ObjectContract, present: set[str]) -> str:
    """SQL giving the reasons (joined with '; ') a row breaks the contract, or NULL.

    Reads the text columns and their ``typed_name`` casts. The reason text is built only for
    rows with a problem (CASE evaluates its branch for those rows alone): building strings for
    millions of good rows would cost more than reading them.
    """
    rules = _reject_rules(contract, present, lambda c: qident(typed_name(c.name)))
    if not rules:
        return "cast(null as varchar)"
    conds = " or ".join(cond for cond, _ in rules)
    parts = ", ".join(f"case when {cond} then {reason} end" for cond, reason in rules)
    return f"case when {conds} then concat_ws('; ', {parts}) end"


def reject_condition_expr(contract: ObjectContract, present: set[str]) -> str:
    """SQL true for a row that breaks the contract (never NULL), casting the text columns itself.

    The same rules as ``reject_reason_expr`` without building the reason: a clean batch is
    loaded straight from the file's text, and reasons are only worked out when a row fails.
    """
    rules = _reject_rules(contract, present, _readable_expr, conditions_only=True)
    return "(" + " or ".join(cond for cond, _ in rules) + ")" if rules else "false"


# Delimiters taken when the header line has no comma: Excel in many European locales writes
# semicolons, some exporters tabs or pipes. Decided from the header line alone, never guessed
# from the data (see _read_sql).
_OTHER_DELIMITERS = (";", "\t", "|")


def header_delimiter(batch: BatchFile) -> str:
    """The CSV delimiter the batch's header line uses: ',' unless it has none and another one."""
    opener = gzip.open if batch.path.name.lower().endswith(".gz") else open
    try:
        with opener(batch.path, "rb") as f:
            first = f.readline(1 << 20)
    except (OSError, EOFError):
        return ","  # unreadable: let DuckDB report the error with its detail
    if b"," in first:
        return ","
    counts = {d: first.count(d.encode()) for d in _OTHER_DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _read_sql(batch: BatchFile, delimiter: str = ",", encoding: str = "utf-8") -> str:
    path = qstr(str(batch.path))
    if batch.fmt == "csv":
        # Everything is read as text: typing is the contract's job, so that a bad value becomes a
        # rejected row with a reason instead of a failed or mis-inferred column. The dialect is
        # fixed (RFC 4180 with the header's delimiter): DuckDB's sniffer, left to guess, can take
        # a malformed file for a different but "valid" shape and load nonsense instead of failing
        # (with rows skipped: a ragged row made it start the file at the line after it).
        return (
            f"select * from read_csv({path}, all_varchar = true, header = true, "
            f"delim = {qstr(delimiter)}, quote = '\"', escape = '\"', comment = '', "
            f"encoding = {qstr(encoding)}, strict_mode = true, sample_size = -1, skip = 0)"
        )
    if batch.fmt == "parquet":
        return f"select columns(*)::varchar from read_parquet({path})"
    # maximum_depth = 1 reads every value as JSON; json_extract_string unquotes strings and
    # keeps a nested value as JSON text ({"a":1}) instead of a DuckDB struct.
    return (
        "select json_extract_string(columns(*), '$') from read_json("
        f"{path}, format = 'newline_delimited', sample_size = -1, maximum_depth = 1)"
    )


def _read_batch(con: duckdb.DuckDBPyConnection, batch: BatchFile) -> list[str]:
    """Read the batch into temp table ``_incoming``; returns notes on how it was read.

    A CSV that is not valid UTF-8 is read again as Latin-1 (the usual other encoding of CRM
    exports from Windows tools) and the load log says so; every byte is kept, nothing is skipped.
    """
    notes = []
    delimiter = header_delimiter(batch) if batch.fmt == "csv" else ","
    if delimiter != ",":
        notes.append(f"delimiter {delimiter!r} (from the header line)")
    try:
        con.execute(f"create or replace temp table _incoming as {_read_sql(batch, delimiter)}")
    except duckdb.Error as err:
        if batch.fmt != "csv" or "Invalid unicode" not in str(err):
            raise
        con.execute(
            f"create or replace temp table _incoming as {_read_sql(batch, delimiter, 'latin-1')}"
        )
        notes.append(f"not valid UTF-8, read as Latin-1 ({_first_line(err)})")
    return notes


def _first_line(err: Exception) -> str:
    return next((ln.strip() for ln in str(err).splitlines() if ln.strip()), "")


def ensure_tables(con: duckdb.DuckDBPyConnection, contract: ObjectContract) -> str:
    """Create the ingest bookkeeping tables and the object's raw table (typed, possibly empty)."""
    con.execute("create schema if not exists ingest")
    con.execute(f"create schema if not exists {contract.source}")
    con.execute(_LOAD_LOG_DDL)
    con.execute(_REJECTS_DDL)
    con.execute(_BATCH_COLUMNS_DDL)
    table = f"{contract.source}.{qident(contract.table)}"
    cols = [f"{qident(c.name)} {c.duckdb_type}" for c in contract.columns]
    cols += [f"{n} {t}" for n, t in LINEAGE_COLUMNS]
    con.execute(f"create table if not exists {table} ({', '.join(cols)})")
    # A newer release may add an optional column to the contract: a warehouse made before it
    # gets the column (empty for the batches loaded then) instead of failing every load.
    present = {
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = ? and table_name = ?",
            [contract.source, contract.table],
        ).fetchall()
    }
    for c in contract.columns:
        if c.name not in present:
            con.execute(f"alter table {table} add column {qident(c.name)} {c.duckdb_type}")
    return table


def _already_loaded(con: duckdb.DuckDBPyConnection, contract: ObjectContract, checksum: str):
    return fetch_one(
        con,
        "select batch from ingest.load_log where source = ? and object = ? and checksum = ? "
        "and status = 'loaded' limit 1",
        [contract.source, contract.name, checksum],
    )


def _log(con, contract, result: FileResult, loaded_at, run_id):
    con.execute(
        "insert into ingest.load_log values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            contract.source,
            contract.name,
            result.batch.batch,
            str(result.batch.path),
            result.checksum,
            result.status,
            result.rows_read,
            result.rows_loaded,
            result.rows_rejected,
            result.message,
            loaded_at,
            run_id,
        ],
    )


def _parse_error(batch: BatchFile, err: Exception) -> str:
    # DuckDB's message ends with the SQL it ran and with advice for DuckDB users (ignore_errors,
    # another encoding) that would lose rows here: keep what it says about the file only.
    lines = []
    for line in str(err).strip().splitlines():
        line = line.strip()
        if line.startswith(("LINE ", "Possible Solution", "Possible fixes")):
            break
        line = line.split("Possible fixes:")[0].strip()
        if line:
            lines.append(line.replace(str(batch.path), batch.display))
    detail = " ".join(lines)[:600]
    hint = ""
    if "GZIP" in detail.upper() or "compressed" in detail:
        hint = " The compressed file ends early: it was probably still being copied or was cut off."
    return (
        f"{batch.display}: the file cannot be read as {batch.fmt.upper()} ({detail}).{hint} "
        "The file was left as it is and the batch was recorded as rejected in ingest.load_log. "
        "Fix or re-export the file under a new batch name, then run again."
    )


def apply_aliases(contract: ObjectContract, names: list[str]) -> list[str]:
    """Rename another vendor's column to the contract's when the contract's is absent."""
    out = list(names)
    for alias, target in contract.aliases:
        if target not in out and alias in out:
            out[out.index(alias)] = target
    return out


def load_file(
    con: duckdb.DuckDBPyConnection,
    contract: ObjectContract,
    batch: BatchFile,
    loaded_at: datetime,
    run_id: str = "",
) -> FileResult:
    """Load one batch file. Returns its result; raises IngestError when the file is unusable."""
    table = ensure_tables(con, contract)
    checksum = file_checksum(batch.path)
    if _already_loaded(con, contract, checksum):
        return FileResult(batch, checksum, "skipped")
    result = FileResult(batch, checksum, "rejected")

    def reject(message: str) -> IngestError:
        result.message = message
        con.execute("begin transaction")
        _log(con, contract, result, loaded_at, run_id)
        con.execute("commit")
        return IngestError(message)

    if batch.path.stat().st_size == 0:
        raise reject(
            f"{batch.display}: the file is empty (0 bytes; not even a header row). "
            "If the extract had no rows, write the header line only; otherwise re-export it."
        )
    reason = precheck(batch.path, batch.display) if batch.fmt != "parquet" else None
    if reason:
        raise reject(reason)
    try:
        notes = _read_batch(con, batch)
    except duckdb.Error as err:
        found = batch.fmt == "csv" and diagnose_csv(
            batch.path, batch.display, header_delimiter(batch)
        )
        raise reject(found or _parse_error(batch, err)) from err

    original = [r[0] for r in con.execute("describe _incoming").fetchall()]
    normalised = apply_aliases(contract, dedupe_names([to_snake_case(c) for c in original]))
    present = set(normalised)
    missing = [c for c in contract.required if c not in present]
    if missing:
        raise reject(
            f"{batch.display}: required column(s) {', '.join(missing)} missing from the header "
            f"(header has {len(original)} columns: {', '.join(original[:12])}"
            f"{', ...' if len(original) > 12 else ''}). Add the column to the extract "
            "(Salesforce API name or snake_case) and re-export the batch."
        )

    # Rename to snake_case; rowid follows insertion order, which is the file's row order.
    renames = ", ".join(
        f"{qident(o)} as {qident(n)}" for o, n in zip(original, normalised, strict=True)
    )
    con.execute(
        f"create or replace temp view _named as select {renames}, "
        "cast(rowid + 1 as bigint) as _row_number from _incoming"
    )
    # Accepted rows go from the file's text straight into the raw table, cast on the way; only
    # when some row breaks a rule are the reasons worked out (the view below), for those rows.
    # A typed temp table of the whole batch in between held a second copy of it in memory (the
    # 8.9M-row activity batch at scale l: 2.7 GB peak with it, 1.4 GB without, same time).
    casts = "".join(
        f", {typed_expr(c.name, c.type)} as {qident(typed_name(c.name))}"
        for c in contract.columns
        if c.name in present and c.type != "string"
    )
    # The reason reads the casts by their aliases in the same select (DuckDB resolves them).
    con.execute(
        f"create or replace temp view _checked as select *{casts}, "
        f"{reject_reason_expr(contract, present)} as _reject_reason from _named"
    )

    extra = [n for n in normalised if contract.column(n) is None]
    existing = {r[0] for r in con.execute(f"describe {table}").fetchall()}
    # Salesforce ids in the 15-character form become the 18-character one: the same record
    # exported in both forms is one record.
    sf_ids = set(contract.salesforce_id_columns)
    typed = [
        (
            "null"
            if c.name not in present
            else salesforce_id_18_sql(typed_expr(c.name, c.type))
            if c.name in sf_ids
            else typed_expr(c.name, c.type)
        )
        + f"::{c.duckdb_type} as {qident(c.name)}"
        for c in contract.columns
    ]
    typed += [qident(n) for n in extra]
    lineage = (
        f"{qstr(batch.batch)} as _batch, {qstr(str(batch.path))} as _file, _row_number, "
        f"{qstr(loaded_at.isoformat(sep=' '))}::timestamp as _loaded_at, "
        f"{qstr(checksum)} as _checksum"
    )
    rows_read = int(fetch_one(con, "select count(*) from _incoming")[0])
    result.columns_gone = columns_gone(con, contract, batch.batch, present)
    if result.columns_gone:
        notes.append(
            f"column(s) {', '.join(result.columns_gone)} of the previous batch are not in this "
            "batch: its rows have them empty"
        )
    con.execute("begin transaction")
    try:
        for n in extra:
            if n not in existing:
                # Custom fields pass through as text; later batches may add more of them.
                con.execute(f"alter table {table} add column {qident(n)} varchar")
        loaded = int(
            fetch_one(
                con,
                f"insert into {table} by name select {', '.join(typed)}, {lineage} "
                f"from _named where not {reject_condition_expr(contract, present)}",
            )[0]
        )
        rejected = 0
        if loaded < rows_read:
            data_cols = ", ".join(qident(n) for n in normalised)
            rejected = int(
                fetch_one(
                    con,
                    "insert into ingest.rejects select ?, ?, ?, ?, ?, _row_number, "
                    f"_reject_reason, to_json(struct_pack({data_cols})), ?, ? from _checked "
                    "where _reject_reason is not null",
                    [
                        contract.source,
                        contract.name,
                        batch.batch,
                        str(batch.path),
                        checksum,
                        loaded_at,
                        run_id,
                    ],
                )[0]
            )
        if loaded + rejected != rows_read:
            # The two rule sets (condition and reason) disagree: a bug here, never the data's.
            raise RuntimeError(
                f"{batch.display}: {rows_read} rows read but {loaded} loaded and {rejected} "
                "rejected; the load was rolled back"
            )
        result.rows_loaded, result.rows_rejected = loaded, rejected
        result.rows_read = rows_read
        result.status = "loaded"
        result.message = "; ".join(notes)
        _log(con, contract, result, loaded_at, run_id)
        con.execute(
            "insert into ingest.batch_columns values (?, ?, ?, ?)",
            [contract.source, contract.name, batch.batch, sorted(present)],
        )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        con.execute("drop view if exists _checked")
        con.execute("drop view if exists _named")
        con.execute("drop table if exists _incoming")
    return result


def columns_gone(
    con: duckdb.DuckDBPyConnection, contract: ObjectContract, batch: str, present: set[str]
) -> list[str]:
    """Columns the object's previous batch (the newest loaded one named before ``batch``) had
    and this batch's header lacks: an optional column such as ACV__c dropped from an extract
    changes what is published. Read from ``ingest.batch_columns``, not from the raw table, so it
    costs nothing at any size."""
    previous = fetch_one(
        con,
        "select columns from ingest.batch_columns where source = ? and object = ? and batch < ? "
        "order by batch desc limit 1",
        [contract.source, contract.name, batch],
    )
    return [c for c in previous[0] if c not in present] if previous else []


def load_object(
    con: duckdb.DuckDBPyConnection,
    contract: ObjectContract,
    batches: list[BatchFile],
    run_id: str = "",
    progress: Callable[[str], None] | None = None,
) -> LoadSummary:
    """Load every new batch of one object in extraction order.

    Files that cannot be read are recorded as rejected and the error is raised after the other
    files were loaded, so one bad batch does not hide the state of the rest.
    """
    con.execute("set TimeZone = 'UTC'")
    table = ensure_tables(con, contract)
    summary = LoadSummary(contract)
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    errors: list[str] = []
    started = time.monotonic()
    for i, batch in enumerate(batches, 1):
        try:
            res = load_file(con, contract, batch, loaded_at, run_id)
        except IngestError as err:
            errors.append(str(err))
            summary.files.append(FileResult(batch, "", "rejected", message=str(err)))
            continue
        summary.files.append(res)
        if progress and res.status == "loaded":
            progress(
                f"{contract.source}.{contract.name}: batch {i}/{len(batches)} {batch.batch}: "
                f"{res.rows_loaded} rows loaded, {res.rows_rejected} rejected "
                f"({time.monotonic() - started:.1f}s)"
            )
    summary.table_rows = int(fetch_one(con, f"select count(*) from {table}")[0])
    if summary.rows_rejected:
        summary.reject_reasons = [
            (r[0], int(r[1]))
            for r in con.execute(
                "select reason, count(*) from ingest.rejects where source = ? and object = ? "
                "and run_id = ? group by all order by 2 desc limit 10",
                [contract.source, contract.name, run_id],
            ).fetchall()
        ]
    if errors:
        raise IngestError("\n".join(errors))
    return summary


def ingest_workers() -> int:
    """How many objects load at once ($FUNNEL_INGEST_WORKERS, default 2).

    Most objects' loads are small and spend their time on steps that keep one core busy (gzip
    decompression, checks of a few thousand rows), so two side by side use a second core: at
    scale m ingestion took 6.2 s instead of 11.6 s. At l one 9M-row file dominates and DuckDB
    already spreads that read over both cores. More than two gains little on small machines and
    adds memory.
    """
    return max(1, env_number("FUNNEL_INGEST_WORKERS", 2, kind=int, unit="workers"))


def load_objects(
    con: duckdb.DuckDBPyConnection,
    work: list[tuple[ObjectContract, list[BatchFile]]],
    run_id: str = "",
    progress: Callable[[str], None] | None = None,
    workers: int | None = None,
) -> Iterator[tuple[ObjectContract, LoadSummary | IngestError]]:
    """Load several objects, ``workers`` at a time; yields each object's summary (or error).

    Each worker has its own cursor (its own DuckDB connection to the same database), so each
    object's batches still load one transaction per file, and objects never share a table except
    the append-only load log and rejects table. The largest objects start first so that the
    longest load does not start last.
    """
    for contract, _ in work:
        ensure_tables(con, contract)  # catalog changes once, before the workers start
    order = sorted(work, key=lambda item: -sum(b.path.stat().st_size for b in item[1]))

    def run(contract: ObjectContract, batches: list[BatchFile]):
        cursor = con.cursor()
        try:
            return load_object(cursor, contract, batches, run_id=run_id, progress=progress)
        except IngestError as err:
            return err
        finally:
            cursor.close()

    with ThreadPoolExecutor(max_workers=workers or ingest_workers()) as pool:
        futures = {pool.submit(run, contract, batches): contract for contract, batches in order}
        for future in as_completed(futures):
            yield futures[future], future.result()
