"""Name normalisation shared by ingest and the sample generator (no Dagster imports)."""

from __future__ import annotations

import re

_CAMEL_1 = re.compile(r"([A-Z]+)([A-Z][a-z])")
_CAMEL_2 = re.compile(r"([a-z0-9])([A-Z])")
_LETTER_DIGIT = re.compile(r"([A-Za-z])(\d)")
_NON_WORD = re.compile(r"[^0-9a-zA-Z_]+")
_MULTI_UNDERSCORE = re.compile(r"(?<!^)_{2,}")


def to_snake_case(name: str) -> str:
    """Normalise a Salesforce API name or a Fivetran/Airbyte column name to snake_case.

    ``CreatedDate`` -> ``created_date``, ``Sales_Role__c`` -> ``sales_role_c``,
    ``ACV__c`` -> ``acv_c``, ``Product2Id`` -> ``product_2_id`` (Fivetran's spelling),
    ``_fivetran_deleted`` stays as it is. Leading underscores are kept because connector
    metadata columns are recognised by them.
    """
    stripped = name.strip().lstrip("\ufeff")
    leading = len(stripped) - len(stripped.lstrip("_"))
    body = stripped[leading:]
    body = _NON_WORD.sub("_", body)
    body = _CAMEL_1.sub(r"\1_\2", body)
    body = _CAMEL_2.sub(r"\1_\2", body)
    body = _LETTER_DIGIT.sub(r"\1_\2", body)
    body = _MULTI_UNDERSCORE.sub("_", body.lower()).strip("_")
    return "_" * leading + body


def folder_key(name: str) -> str:
    """Key for matching object folder names case- and style-insensitively.

    ``UserRole``, ``userrole`` and ``user_role`` all give ``userrole``.
    """
    return re.sub(r"[^0-9a-z]", "", name.lower())


def dedupe_names(names: list[str]) -> list[str]:
    """Make normalised column names unique (``email`` and ``Email`` in one file) by suffixing."""
    seen: dict[str, int] = {}
    out = []
    for n in names:
        if n in seen:
            seen[n] += 1
            out.append(f"{n}_{seen[n]}")
        else:
            seen[n] = 0
            out.append(n)
    return out


_ID_SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_SALESFORCE_ID_15 = re.compile(r"[0-9A-Za-z]{15}")


def salesforce_id_18(record_id: str) -> str:
    """A Salesforce record id in its 18-character form; any other value as it is.

    The 15-character form is case-sensitive (``...abc`` and ``...ABC`` are two records); the
    18-character form appends one character per five, encoding which of them are capitals, so
    the same record exported in both forms becomes one id. ``001A0000006Vm9r`` gives
    ``001A0000006Vm9rIAC``.
    """
    if not _SALESFORCE_ID_15.fullmatch(record_id):
        return record_id
    suffix = ""
    for start in range(0, 15, 5):
        bits = sum(1 << i for i, ch in enumerate(record_id[start : start + 5]) if "A" <= ch <= "Z")
        suffix += _ID_SUFFIX_ALPHABET[bits]
    return record_id + suffix


def salesforce_id_18_sql(value: str) -> str:
    """``salesforce_id_18`` as a DuckDB expression over the SQL expression ``value``."""
    chunks = []
    for start in range(0, 15, 5):
        bits = " + ".join(
            f"(case when substr({value}, {start + i + 1}, 1) between 'A' and 'Z' "
            f"then {1 << i} else 0 end)"
            for i in range(5)
        )
        chunks.append(f"substr('{_ID_SUFFIX_ALPHABET}', 1 + {bits}, 1)")
    return (
        f"case when length({value}) = 15 and regexp_full_match({value}, '[0-9A-Za-z]{{15}}') "
        f"then {value} || {' || '.join(chunks)} else {value} end"
    )
