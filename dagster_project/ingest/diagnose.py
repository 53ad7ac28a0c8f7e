"""Why a batch file cannot be read, in a person's words (no Dagster imports, no DuckDB).

DuckDB's reader reports what it met ("Error when sniffing file", "missing header", advice for
its own options); a person needs the cause in the file and what to do. ``precheck`` runs before
every read and looks only at the first bytes (wrong compression, nothing inside, UTF-16);
``diagnose_csv`` runs when DuckDB refused a CSV and reads it once in Python to find the line.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

_GZIP_MAGIC = b"\x1f\x8b"
_RE_EXPORT = "Re-export the file under a new batch name, then run again."


def _opener(path: Path):
    return gzip.open if path.name.lower().endswith(".gz") else open


def precheck(path: Path, display: str) -> str | None:
    """A reason the file cannot be a batch, found in its first bytes, else None."""
    with open(path, "rb") as f:
        head = f.read(4)
    if path.name.lower().endswith(".gz"):
        if head[:2] != _GZIP_MAGIC:
            return (
                f"{display}: the file is named .gz but is not gzip-compressed (it starts "
                f"with {head!r}). Land it again under a new batch name: without .gz if it is "
                "a plain file, or compressed with gzip, then run again."
            )
        try:
            with gzip.open(path, "rb") as f:
                head = f.read(4)
        except (OSError, EOFError, zlib.error):
            return None  # cut off: DuckDB's read says so, with a hint (load._parse_error)
        if not head:
            return (
                f"{display}: the compressed file holds nothing (0 bytes once decompressed; not "
                "even a header row). If the extract had no rows, compress the header line "
                f"only. {_RE_EXPORT}"
            )
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(head) >= 4 and head[1::2] == b"\0\0"):
        return (
            f'{display}: the file is encoded as UTF-16 (as Excel\'s "Unicode Text" saves '
            'it), not UTF-8. Save it as "CSV UTF-8" instead (or convert it: iconv -f UTF-16 '
            f"-t UTF-8), then land it under a new batch name and run again."
        )
    return None


def diagnose_csv(path: Path, display: str, delimiter: str = ",") -> str | None:
    """The first place that breaks RFC 4180 CSV in the file, said plainly, else None.

    Finds a quoted value that is never closed (the line it opens on) and a row with another
    number of fields than the header. Read once, character by character: only for a file that
    DuckDB already refused.
    """
    field_start, unquoted, quoted, quote_seen = range(4)
    state, fields, header_fields = field_start, 1, None
    line_no, record_line, opened_at = 1, 1, 0
    try:
        with _opener(path)(path, "rt", encoding="utf-8", errors="replace", newline="") as f:
            for chunk in iter(lambda: f.read(1 << 16), ""):
                for ch in chunk:
                    if state == quoted:
                        if ch == '"':
                            state = quote_seen
                        elif ch == "\n":
                            line_no += 1
                        continue
                    if ch == '"' and state in (field_start, quote_seen):
                        if state == field_start:
                            opened_at = line_no
                        state = quoted
                    elif ch == delimiter:
                        fields, state = fields + 1, field_start
                    elif ch == "\n":
                        if header_fields is None:
                            header_fields = fields
                        elif fields != header_fields:
                            return _ragged(display, record_line, fields, header_fields, delimiter)
                        line_no += 1
                        record_line, fields, state = line_no, 1, field_start
                    elif ch != "\r":
                        state = unquoted
    except (OSError, EOFError, zlib.error):
        return None
    if state == quoted:
        return (
            f'{display}: line {opened_at} opens a quoted value (") that is never closed, so '
            "the rest of the file would read as one value. Close the quote, or write a quote "
            f'inside a value as two (""). {_RE_EXPORT}'
        )
    if header_fields is not None and state != field_start and fields != header_fields:
        return _ragged(display, record_line, fields, header_fields, delimiter)
    return None


def _ragged(display: str, line: int, fields: int, header: int, delimiter: str) -> str:
    return (
        f"{display}: line {line} has {fields} field(s) where the header has {header} (a "
        f"{delimiter!r} inside a value that is not quoted, or one missing). Quote the values "
        f"that hold the delimiter. {_RE_EXPORT}"
    )
