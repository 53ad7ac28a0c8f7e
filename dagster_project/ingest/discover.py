"""Finding extract batches in the landing zone. Pure filesystem logic."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from dagster_project.ingest.contract import SOURCES, ObjectContract, find_contract
from dagster_project.lib.naming import folder_key

# Longest first, so that "x.csv.gz" is not taken for "x.gz".
EXTENSIONS = (".csv.gz", ".jsonl.gz", ".csv", ".parquet", ".jsonl")
# Files a writer is still producing: temporary names and hidden files are never batches.
_IN_PROGRESS_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".inprogress")


@dataclass(frozen=True)
class BatchFile:
    source: str
    object_name: str
    batch: str
    path: Path
    fmt: str  # csv | parquet | jsonl

    @property
    def display(self) -> str:
        return f"{self.source}/{self.path.parent.name}/{self.path.name}"


def split_extension(filename: str) -> tuple[str, str] | None:
    """``'2026-01-01T00.csv.gz'`` -> ``('2026-01-01T00', '.csv.gz')``; None if not a batch file."""
    lower = filename.lower()
    if filename.startswith((".", "_", "~")) or lower.endswith(_IN_PROGRESS_SUFFIXES):
        return None
    for ext in EXTENSIONS:
        if lower.endswith(ext) and len(filename) > len(ext):
            return filename[: -len(ext)], ext
    return None


def _fmt(ext: str) -> str:
    return ext.split(".")[1]


def discover(landing_dir: Path, contract: ObjectContract) -> list[BatchFile]:
    """All batch files of one object, in extraction order (batch name, then file name)."""
    source_dir = Path(landing_dir) / contract.source
    if not source_dir.is_dir():
        return []
    files = []
    for folder in sorted(p for p in source_dir.iterdir() if p.is_dir()):
        if folder_key(folder.name) != folder_key(contract.name):
            continue
        for path in folder.iterdir():
            parts = split_extension(path.name)
            if parts is None or not path.is_file():
                continue
            batch, ext = parts
            files.append(BatchFile(contract.source, contract.name, batch, path, _fmt(ext)))
    return sorted(files, key=lambda b: (b.batch, b.path.name))


def unknown_folders(landing_dir: Path) -> list[Path]:
    """Folders in the landing zone that match no contract object (reported, never loaded)."""
    out = []
    for source in SOURCES:
        source_dir = Path(landing_dir) / source
        if source_dir.is_dir():
            out += [
                p
                for p in sorted(source_dir.iterdir())
                if p.is_dir()
                and not p.name.startswith(".")
                and find_contract(source, p.name) is None
            ]
    return out


def file_checksum(path: Path) -> str:
    """SHA-256 of the file's bytes: a batch's identity in the load log."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def landing_fingerprint(
    landing_dir: Path, settled_before: float | None = None
) -> tuple[list[tuple[str, int, int]], list[str]]:
    """(relative path, size, mtime_ns) of every complete batch file, and the files not settled.

    A file modified after ``settled_before`` (a POSIX time) may still be growing, whatever its
    name: it is left out of the fingerprint and listed instead, so that a writer which does not
    use a temporary name still cannot start a run on half a file.
    """
    root = Path(landing_dir)
    out, unsettled = [], []
    for source in SOURCES:
        for path in sorted((root / source).glob("*/*")):
            if path.is_file() and split_extension(path.name) is not None:
                st = path.stat()
                rel = str(path.relative_to(root))
                if settled_before is not None and st.st_mtime > settled_before:
                    unsettled.append(rel)
                else:
                    out.append((rel, st.st_size, st.st_mtime_ns))
    return out, unsettled
