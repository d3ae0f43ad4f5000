"""Where the demo's rows go: plain ``executemany`` into the SQLite file, COPY into PostgreSQL.

Both writers continue the records' ids and hash chain from where they are and leave the chain
head matching what was written, so ``ptassist verify`` passes on a demo database.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol

from ptassist.store.audit_chain import Run, RunMany, dbapi_runner
from ptassist.store.database import Database
from ptassist.store.sqlite_file import connect

Row = tuple[Any, ...]
PATIENT_COLUMNS = (
    "id", "chart_number", "family_name", "given_name", "date_of_birth", "sex", "phone", "email", "address",
    "referring_physician", "referring_practice", "referring_contact", "notes", "search_name", "created_at",
    "updated_at",
)
VISIT_COLUMNS = (
    "id", "patient_id", "clinician_id", "visit_time", "kind", "status", "version", "intake_json", "assessment_z",
    "ruleset_version", "narrative_json", "measures_json", "prescription_json", "urgency", "working_diagnosis", "nprs",
    "lefs", "odi", "psfs", "updated_at", "updated_by", "signed_at", "signed_by", "chain_seq", "content_hash",
    "prev_hash", "content_version", "signer_key_id", "signature",
)
ADDENDUM_COLUMNS = ("id", "visit_id", "text", "clinician_name", "created_at", "chain_seq", "content_hash", "prev_hash",
                    "content_version", "signer_key_id", "signature")
TABLES = (("patient", PATIENT_COLUMNS), ("visit", VISIT_COLUMNS), ("addendum", ADDENDUM_COLUMNS))


class DemoWriter(Protocol):
    """Takes the demo's rows in batches."""

    def clinician_id(self, name: str) -> int: ...

    def signing_keys(self) -> int:
        """How many signing-key records the chain holds (then demo visits must be signed)."""

    def start(self) -> tuple[int, int, int, int, str]:
        """The next patient, visit and addendum ids, and the chain head's seq and hash."""

    def write(self, batches: Sequence[list[Row]], seq: int, head: str) -> None:
        """Patients, visits and addenda (in TABLES order), with the chain head they end at."""

    def runner(self) -> Run:
        """Statements with ``:named`` parameters in the build's transaction (the audit chain's evidence)."""

    def many(self) -> RunMany:
        """One write for each set of ``:named`` parameters, in the build's transaction, in few round trips."""

    def finish(self) -> None: ...

    def close(self) -> None: ...


def count_signing_keys(cursor: Any) -> int:
    return int(cursor.execute("SELECT count(*) FROM signing_key").fetchone()[0])


def continue_from(cursor: Any) -> tuple[int, int, int, int, str]:
    """The next patient, visit and addendum ids and the chain head, through a DB-API cursor."""
    ids = [int(cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}").fetchone()[0])
           for table, _columns in TABLES]
    seq, head = cursor.execute("SELECT seq, hash FROM chain_head WHERE id = 1").fetchone()
    return ids[0], ids[1], ids[2], int(seq), str(head)


def writer_for(database: Database) -> DemoWriter:
    """The file's writer, or the server's."""
    if database.path is not None:
        return SqliteDemoWriter(database)
    return PostgresqlDemoWriter(database)


class _CursorWriter:
    """What both writers read through their DB-API cursor."""

    cursor: Any

    def signing_keys(self) -> int:
        return count_signing_keys(self.cursor)

    def start(self) -> tuple[int, int, int, int, str]:
        return continue_from(self.cursor)


class SqliteDemoWriter(_CursorWriter):
    """One sqlite3 connection; a commit per batch keeps the WAL small and an interrupted build verifiable."""

    def __init__(self, database: Database) -> None:
        assert database.path is not None
        self.connection = connect(database.path, key=database.key, timeout=30)  # keyed for encrypted records
        self.connection.execute("PRAGMA foreign_keys = ON")
        self.connection.execute("PRAGMA synchronous = OFF")  # bulk build: durability comes from the final commit
        self.cursor = self.connection.cursor()
        self.cursor.execute("BEGIN IMMEDIATE")

    def clinician_id(self, name: str) -> int:
        self.cursor.execute("INSERT OR IGNORE INTO clinician (name, credentials) VALUES (?, 'PT, DPT')", (name,))
        return int(self.cursor.execute("SELECT id FROM clinician WHERE name = ?", (name,)).fetchone()[0])

    def write(self, batches: Sequence[list[Row]], seq: int, head: str) -> None:
        for (table, columns), rows in zip(TABLES, batches, strict=True):
            self.cursor.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", rows)
        self.cursor.execute("UPDATE chain_head SET seq = ?, hash = ? WHERE id = 1", (seq, head))
        self.connection.commit()
        self.cursor.execute("BEGIN IMMEDIATE")

    def runner(self) -> Run:
        return dbapi_runner(self.connection)

    def many(self) -> RunMany:
        def run_many(sql: str, rows: Sequence[dict[str, Any]]) -> None:
            self.connection.executemany(sql, rows)

        return run_many

    def finish(self) -> None:
        self.connection.commit()
        self.connection.execute("PRAGMA synchronous = FULL")
        self.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        self.connection.close()


def _pyformat(sql: str) -> str:
    """``:name`` parameters as psycopg's ``%(name)s``."""
    return re.sub(r"(?<!:):([A-Za-z_]\w*)", r"%(\1)s", sql)


class PostgresqlDemoWriter(_CursorWriter):
    """COPY into the server in one transaction that holds the chain head's lock, so signatures made
    meanwhile on other workstations wait instead of forking the chain. Each batch is sent on a
    thread of its own while the build makes the next (the server indexes as Python hashes and signs:
    two cores at work instead of one); every other use of the connection waits for it first."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.sending: Future[None] | None = None
        self.sender = ThreadPoolExecutor(max_workers=1, thread_name_prefix="demo-copy")
        self.pooled = database.engine.raw_connection()
        connection = self.pooled.driver_connection
        assert connection is not None
        self.connection: Any = connection
        self.cursor: Any = connection.cursor()
        if database.dialect.begin_write_sql:
            self.cursor.execute(database.dialect.begin_write_sql)
        lock = database.dialect.lock_chain_head_sql()
        if lock:
            self.cursor.execute(lock)

    def clinician_id(self, name: str) -> int:
        self.cursor.execute("INSERT INTO clinician (name, credentials) VALUES (%s, 'PT, DPT') "
                            "ON CONFLICT (name) DO NOTHING", (name,))
        return int(self.cursor.execute("SELECT id FROM clinician WHERE name = %s", (name,)).fetchone()[0])

    def write(self, batches: Sequence[list[Row]], seq: int, head: str) -> None:
        self._sent()
        copied = [list(rows) for rows in batches]  # the build reuses its lists for the next batch
        self.sending = self.sender.submit(self._copy, copied, seq, head)

    def _copy(self, batches: Sequence[list[Row]], seq: int, head: str) -> None:
        for (table, columns), rows in zip(TABLES, batches, strict=True):
            with self.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        self.cursor.execute("UPDATE chain_head SET seq = %s, hash = %s WHERE id = 1", (seq, head))

    def _sent(self) -> None:
        """Wait for the batch being sent (its error, if any, is raised here)."""
        sending, self.sending = self.sending, None
        if sending is not None:
            sending.result()

    def runner(self) -> Run:
        self._sent()
        cursor = self.cursor

        def run(sql: str, params: dict[str, Any]) -> Sequence[Sequence[Any]]:
            cursor.execute(_pyformat(sql), params)
            return cursor.fetchall() if cursor.description else []

        return run

    def many(self) -> RunMany:
        self._sent()
        cursor = self.cursor

        def run_many(sql: str, rows: Sequence[dict[str, Any]]) -> None:
            if rows:
                cursor.executemany(_pyformat(sql), rows)  # psycopg pipelines these: few round trips

        return run_many

    def finish(self) -> None:
        self._sent()
        self.database.dialect.realign_ids(self.cursor.execute, [table for table, _columns in TABLES])
        self.connection.commit()
        self.cursor.execute("ANALYZE patient")
        self.cursor.execute("ANALYZE visit")
        self.connection.commit()

    def close(self) -> None:
        with contextlib.suppress(Exception):  # a failed batch was raised already, or the build stopped
            self._sent()
        self.sender.shutdown()
        self.connection.rollback()  # nothing after finish(); all of it when the build stopped half-way
        self.pooled.close()
