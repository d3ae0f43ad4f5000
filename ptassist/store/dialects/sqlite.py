"""SQLite's SQL: RAISE(ABORT) triggers, the FTS5 name and note indexes; writers are serialised by BEGIN IMMEDIATE."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ptassist.store.dialects import NOTE_PREFIX_LETTERS, Execute, Lock, Scalar
from ptassist.store.errors import StoreError
from ptassist.store.patient_queries import fts_query

FTS_TRIGGERS = ("patient_fts_insert", "patient_fts_delete", "patient_fts_update")

# Note search: the narrative of every visit in an FTS5 index kept by triggers. The patient column
# holds one token per visit ('p42'), so a search within one patient's notes intersects two posting
# lists instead of filtering every match. Prefix indexes for 2 to 6 letters keep a prefix search
# lazy (without one FTS5 merges every matching term's list first: 30-50 ms at 100,000 patients).
NOTE_TRIGGERS = ("visit_note_fts_insert", "visit_note_fts_update", "visit_note_fts_delete")
NOTE_TEXT = ("coalesce(json_extract({v}.narrative_json, '$.subjective'), '') || ' ' || "
             "coalesce(json_extract({v}.narrative_json, '$.objective'), '') || ' ' || "
             "coalesce(json_extract({v}.narrative_json, '$.assessment'), '') || ' ' || "
             "coalesce(json_extract({v}.narrative_json, '$.plan'), '')")
NOTE_SEARCH_SQL = (
    "CREATE VIRTUAL TABLE visit_note_fts USING fts5(patient, notes, tokenize='unicode61 remove_diacritics 2', "
    "prefix='2 3 4 5 6')",  # up to NOTE_PREFIX_LETTERS
    "INSERT INTO visit_note_fts(rowid, patient, notes) SELECT id, 'p' || patient_id, "
    + NOTE_TEXT.format(v="visit") + " FROM visit",
    "CREATE TRIGGER visit_note_fts_insert AFTER INSERT ON visit BEGIN "
    "INSERT INTO visit_note_fts(rowid, patient, notes) VALUES (new.id, 'p' || new.patient_id, "
    + NOTE_TEXT.format(v="new") + "); END",
    "CREATE TRIGGER visit_note_fts_update AFTER UPDATE OF narrative_json ON visit BEGIN "
    "DELETE FROM visit_note_fts WHERE rowid = old.id; "
    "INSERT INTO visit_note_fts(rowid, patient, notes) VALUES (new.id, 'p' || new.patient_id, "
    + NOTE_TEXT.format(v="new") + "); END",
    "CREATE TRIGGER visit_note_fts_delete AFTER DELETE ON visit BEGIN "
    "DELETE FROM visit_note_fts WHERE rowid = old.id; END",
)
# The newest visits (highest ids) first: FTS5 walks its rowids backwards and stops at the limit, so a
# word found in every other note costs no more than a rare one.
NOTE_QUERY = (
    "SELECT v.id, v.patient_id, p.family_name, p.given_name, v.visit_time, v.kind, v.status, f.snippet "
    "FROM (SELECT rowid AS id, snippet(visit_note_fts, 1, '[', ']', '…', 12) AS snippet FROM visit_note_fts "
    "WHERE visit_note_fts MATCH :q ORDER BY rowid DESC LIMIT :n) f "
    "JOIN visit v ON v.id = f.id JOIN patient p ON p.id = v.patient_id ORDER BY v.visit_time DESC, v.id DESC"
)


def match_expression(words: Sequence[str], patient_id: int | None) -> str:
    """The FTS5 MATCH text: every word as a prefix in the notes, and the patient's token if given.

    A word longer than ``NOTE_PREFIX_LETTERS`` matches on its first letters, so that every prefix is
    answered from a prefix index ("stretching" also finds "stretched")."""
    notes = "notes : (" + fts_query([w[:NOTE_PREFIX_LETTERS] for w in words]) + ")"
    return f'patient : "p{patient_id}" AND {notes}' if patient_id is not None else notes


class SqliteDialect:
    """See :class:`ptassist.store.dialects.Dialect`."""

    name = "sqlite"
    full_text_search = True
    note_snippets = True  # FTS5's snippet()
    on_connect_sql: tuple[str, ...] = ()  # the pragmas are set in ptassist.store.database
    begin_write_sql: str | None = None  # BEGIN IMMEDIATE (ptassist.store.database) already does it
    # Nothing to send: PRAGMA data_version on the change feed's connection moves with every commit of another.
    notify_sql: str | None = None
    listen_sql: str | None = None
    server_clock_sql: str | None = None  # a file on this machine: its processes share one clock

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

    def create_note_search(self, execute: Execute) -> None:
        for statement in NOTE_SEARCH_SQL:
            execute(statement)

    def drop_note_search(self, execute: Execute) -> None:
        for name in NOTE_TRIGGERS:
            execute(f"DROP TRIGGER IF EXISTS {name}")
        execute("DROP TABLE IF EXISTS visit_note_fts")

    def note_search_sql(self, words: Sequence[str], patient_id: int | None) -> tuple[str, dict[str, Any]]:
        return NOTE_QUERY, {"q": match_expression(words, patient_id)}

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
