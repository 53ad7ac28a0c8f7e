"""A throwaway PostgreSQL server for the portability test (SPEC 10), and a loader that copies
DuckDB tables into it.

The server binaries come from Debian's `postgresql` package, which `make postgres` installs when
they are missing (`make test` runs it). Each server lives in its own temporary folder, listens on
loopback on a free port and is stopped and deleted afterwards. PostgreSQL refuses to run as root,
so under root the server runs as the `postgres` user the package creates.
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import duckdb
import psycopg2

USER = "funnel"
INSTALL_HINT = "run `make engines` (it installs Debian's postgresql package)"

# DuckDB column types as PostgreSQL spells them (the raw tables use only these).
PG_TYPES = {
    "VARCHAR": "text",
    "BIGINT": "bigint",
    "INTEGER": "integer",
    "DOUBLE": "double precision",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
}


def postgres_bin_dir() -> Path:
    """The folder of initdb and pg_ctl: on PATH, else the newest under /usr/lib/postgresql."""
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).resolve().parent
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(re.search(r"/(\d+)/bin/", p)[1]),
    )
    if not found:
        raise RuntimeError(f"PostgreSQL's initdb was not found: {INSTALL_HINT}.")
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """A PostgreSQL server in a temporary folder; ``with PostgresServer() as pg: pg.port``."""

    def __init__(self) -> None:
        self.bin = postgres_bin_dir()
        self.root = Path(tempfile.mkdtemp(prefix="funnel-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError as exc:
                raise RuntimeError(
                    "PostgreSQL will not run as root and there is no `postgres` user: "
                    f"{INSTALL_HINT}."
                ) from exc
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
            self._as_user = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str) -> None:
        result = subprocess.run(
            [*self._as_user, *args], capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{args[0]} failed:\n{result.stdout}{result.stderr}{tail}")

    def start(self) -> PostgresServer:
        # Durability is not needed for a throwaway server: fsync off saves most of the time.
        initdb = [str(self.bin / "initdb"), "-D", str(self.data), "-U", USER, "-A", "trust"]
        self._run(*initdb, "-E", "UTF8", "--no-sync")
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        pg_ctl = [str(self.bin / "pg_ctl"), "-D", str(self.data)]
        self._run(*pg_ctl, "-l", str(self.root / "server.log"), "-o", options, "-w", "start")
        return self

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                pg_ctl = [str(self.bin / "pg_ctl"), "-D", str(self.data)]
                self._run(*pg_ctl, "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()

    def connect(self, database: str = "postgres"):
        return psycopg2.connect(host="127.0.0.1", port=self.port, user=USER, dbname=database)

    def create_database(self, name: str) -> None:
        con = self.connect()
        con.autocommit = True  # CREATE DATABASE cannot run inside a transaction
        try:
            con.cursor().execute(f'create database "{name}"')
        finally:
            con.close()


def _pg_type(duckdb_type: str) -> str:
    decimal = re.fullmatch(r"DECIMAL\((\d+),(\d+)\)", duckdb_type)
    if decimal:
        return f"numeric({decimal[1]},{decimal[2]})"
    return PG_TYPES[duckdb_type]


def copy_tables(
    duckdb_path: Path, pg_connection, schemas: list[str], where: str | None = None
) -> int:
    """Every table of ``schemas`` in the DuckDB file, created in PostgreSQL when missing and
    appended to (only the rows matching ``where`` when given). Data moves through DuckDB's own
    CSV writer and PostgreSQL's COPY, not row by row. Returns the number of rows copied."""
    source = duckdb.connect(str(duckdb_path), read_only=True)
    cursor = pg_connection.cursor()
    copied = 0
    try:
        tables = source.execute(
            "select table_schema, table_name from information_schema.tables "
            f"where table_schema in ({', '.join('?' for _ in schemas)}) order by 1, 2",
            schemas,
        ).fetchall()
        with tempfile.TemporaryDirectory() as scratch:
            for schema, table in tables:
                columns = source.execute(
                    "select column_name, data_type from information_schema.columns "
                    "where table_schema = ? and table_name = ? order by ordinal_position",
                    [schema, table],
                ).fetchall()
                cursor.execute(f'create schema if not exists "{schema}"')
                cursor.execute(
                    f'create table if not exists "{schema}"."{table}" ('
                    + ", ".join(f'"{name}" {_pg_type(kind)}' for name, kind in columns)
                    + ")"
                )
                csv = Path(scratch) / f"{schema}.{table}.csv"
                # CSV as both sides read it: NULL is an empty field, '' a quoted empty one.
                source.execute(
                    f'copy (select * from "{schema}"."{table}" where {where or "true"}) '
                    f"to '{csv}' (header false)"
                )
                with csv.open() as rows:
                    cursor.copy_expert(f'copy "{schema}"."{table}" from stdin (format csv)', rows)
                copied += cursor.rowcount
        pg_connection.commit()
    finally:
        source.close()
    return copied
