"""SQLite's SQL: RAISE(ABORT) triggers, the FTS5 name index; writers are serialised by BEGIN IMMEDIATE."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ptassist.store.dialects import Execute, Lock, Scalar
from ptassist.store.errors import StoreError

FTS_TRIGGERS = ("patient_fts_insert", "patient_fts_delete", "patient_fts_update")


class SqliteDialect:
    """See :class:`ptassist.store.dialects.Dialect`."""

    name = "sqlite"
    full_text_search = True
    on_connect_sql: tuple[str, ...] = ()  # the pragmas are set in ptassist.store.database
    begin_write_sql: str | None = None  # BEGIN IMMEDIATE (ptassist.store.database) already does it

    def create_locks(self, execute: Execute, locks: Iterable[Lock]) -> None:
        for lock in locks:
            when = f" WHEN {lock.condition}" if lock.condition else ""
            execute(f"CREATE TRIGGER {lock.name} BEFORE {lock.event} ON {lock.table}{when} "
                    f"BEGIN SELECT RAISE(ABORT, '{lock.message}'); END")

    def drop_locks(self, execute: Execute, locks: Iterable[Lock]) -> None:
        for lock in locks:
            execute(f"DROP TRIGGER IF EXISTS {lock.name}")

    def create_name_search(self, execute: Execute) -> None:
        execute("CREATE VIRTUAL TABLE patient_fts USING fts5("
                "search_name, content='patient', content_rowid='id', tokenize='unicode61 remove_diacritics 2')")
        execute("INSERT INTO patient_fts(patient_fts) VALUES ('rebuild')")
        execute("CREATE TRIGGER patient_fts_insert AFTER INSERT ON patient BEGIN "
                "INSERT INTO patient_fts(rowid, search_name) VALUES (new.id, new.search_name); END")
        execute("CREATE TRIGGER patient_fts_delete AFTER DELETE ON patient BEGIN "
                "INSERT INTO patient_fts(patient_fts, rowid, search_name) VALUES ('delete', old.id, old.search_name); "
                "END")
        execute("CREATE TRIGGER patient_fts_update AFTER UPDATE OF search_name ON patient BEGIN "
                "INSERT INTO patient_fts(patient_fts, rowid, search_name) VALUES ('delete', old.id, old.search_name); "
                "INSERT INTO patient_fts(rowid, search_name) VALUES (new.id, new.search_name); END")

    def drop_name_search(self, execute: Execute) -> None:
        for name in FTS_TRIGGERS:
            execute(f"DROP TRIGGER IF EXISTS {name}")
        execute("DROP TABLE IF EXISTS patient_fts")

    def lock_chain_head_sql(self) -> str | None:
        return None  # a writing transaction already holds the database's write lock (BEGIN IMMEDIATE)

    def reserve_patient_id(self, scalar: Scalar) -> int:
        # Under the write lock nobody else inserts: the next rowid is max + 1.
        return int(scalar("SELECT coalesce(max(id), 0) + 1 FROM patient"))

    def realign_ids(self, execute: Execute, tables: Sequence[str]) -> None:
        """Nothing to do: SQLite's next rowid follows the largest id."""

    def problem(self, exc: BaseException, where: str = "") -> StoreError | None:
        return None  # SQLite's errors are read by ptassist.store.errors.store_error_for


SQLITE = SqliteDialect()
