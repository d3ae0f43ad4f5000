r"""PostgreSQL's SQL: PL/pgSQL lock triggers, a trigram index for the name search, full-text search
over the visits' notes, a row lock on the chain head, patient ids (and so chart numbers) from the
table's sequence, and the server's errors as one clear line each.

Note search: ``ptassist_note_words(narrative_json)`` is the note's text folded exactly as
:func:`ptassist.core.validation.search_key` folds a query (NFKD, combining marks removed, NFC,
case folded) with every character Python's ``\w`` does not match turned into a space, so the server
splits words where the query does. The character classes are written from Python's own Unicode
tables when the migration runs, and case is folded with the ICU root locale when the server has it
(else the database's locale, which in a C-locale database folds ASCII only). A GIN index on
``to_tsvector('simple', ...)`` of it, stored in the generated column ``visit.note_vector``, answers
prefix queries (``'marath':*``), as SQLite's FTS5 prefix indexes do; the snippet is made by the
store from the note's text (``note_snippets``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from ptassist.store.dialects import NOTE_PREFIX_LETTERS, Execute, Lock, Scalar
from ptassist.store.errors import ConflictError, DiskFullError, InUseError, ReadOnlyError, StoreError

REFUSE_FUNCTION = "ptassist_refuse_change"
CHANGE_CHANNEL = "ptassist_changes"
LOCK_TIMEOUT = "15s"  # a writer waits this long for another workstation's write, then says so

# SQLSTATE codes (PostgreSQL's "Appendix A. Error Codes").
_BUSY = {"55P03": "lock_not_available", "57014": "query_canceled"}
_RETRY = {"40001": "serialization_failure", "40P01": "deadlock_detected"}


NOTE_FIELDS = ("subjective", "objective", "assessment", "plan")
NOTE_INDEX = "ix_visit_note_search"
NOTE_COLUMN = "note_vector"  # a stored generated column: the folded words of the visit's notes
NOTE_FUNCTIONS = ("ptassist_note_words(text)", "ptassist_note_text(text)")
NOTE_RECENT = 2000  # the newest visits a search reads first (see NOTE_QUERY)
# The newest matching visits (highest ids) first, as on SQLite, in two bounded steps: the newest
# NOTE_RECENT visits in id order (a common word fills the page at once), and only when they do not
# fill it, every match from the GIN index (a rarer word has few). Either alone is slow at a
# million visits for one kind of word: reading backwards for a rare one, every match of a common one.
NOTE_QUERY = (
    "WITH recent AS MATERIALIZED (SELECT v.id FROM visit v WHERE v.id > (SELECT coalesce(max(id), 0) FROM visit) "
    f"- {NOTE_RECENT} AND v.{NOTE_COLUMN} @@ to_tsquery('simple', :q) {{patient}}ORDER BY v.id DESC LIMIT :n), "
    f"older AS MATERIALIZED (SELECT v.id FROM visit v WHERE v.{NOTE_COLUMN} @@ to_tsquery('simple', :q) {{patient}}"
    "AND (SELECT count(*) FROM recent) < :n), "
    "found AS (SELECT id FROM recent UNION SELECT id FROM older ORDER BY id DESC LIMIT :n) "
    "SELECT v.id, v.patient_id, p.family_name, p.given_name, v.visit_time, v.kind, v.status, "
    "ptassist_note_text(v.narrative_json) "
    "FROM found f JOIN visit v ON v.id = f.id JOIN patient p ON p.id = v.patient_id "
    "ORDER BY v.visit_time DESC, v.id DESC"
)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _regex_class(wanted: Callable[[str], bool]) -> str:
    """A regular-expression bracket class of every character ``wanted`` accepts (PostgreSQL's
    ``\\uXXXX`` / ``\\UXXXXXXXX`` escapes; NUL and surrogates cannot be in text and are left out)."""
    ranges: list[tuple[int, int]] = []
    start: int | None = None
    for code in range(1, 0x110001):
        ok = code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF and wanted(chr(code))
        if ok and start is None:
            start = code
        elif not ok and start is not None:
            ranges.append((start, code - 1))
            start = None

    def escape(code: int) -> str:
        return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"

    return "[" + "".join(escape(a) if a == b else f"{escape(a)}-{escape(b)}" for a, b in ranges) + "]"


def note_functions_sql(icu: bool) -> tuple[str, ...]:
    """The note index's functions (IMMUTABLE, so an index can use them). Each calls only built-in
    functions: pg_restore runs the index's expression with an empty search_path."""
    combining = _regex_class(lambda ch: unicodedata.combining(ch) != 0)
    not_word = _regex_class(lambda ch: not (ch.isalnum() or ch == "_"))
    collate = ' COLLATE "und-x-icu"' if icu else ""
    text = " || ' ' || ".join(f"coalesce(n::jsonb ->> '{name}', '')" for name in NOTE_FIELDS)
    folded = (f"replace(replace(lower(normalize(regexp_replace(normalize({text}, NFKD), '{combining}', '', 'g'), "
              f"NFC){collate}), 'ß', 'ss'), 'ς', 'σ')")
    return (
        "CREATE OR REPLACE FUNCTION ptassist_note_text(n text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE "
        f"AS $$ SELECT {text} $$",
        "CREATE OR REPLACE FUNCTION ptassist_note_words(n text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE "
        f"AS $$ SELECT regexp_replace({folded}, '{not_word}+', ' ', 'g') $$",
    )


def note_tsquery(words: Sequence[str]) -> str:
    """Every word (already folded, word characters only) as a required prefix: ``'marath':* & 'cafe':*``."""
    return " & ".join(_quote(word[:NOTE_PREFIX_LETTERS]) + ":*" for word in words)


class PostgresqlDialect:
    """See :class:`ptassist.store.dialects.Dialect`."""

    name = "postgresql"
    full_text_search = False
    # ts_headline parses the note with the server's own folding, not search_key's: an accented word
    # found would not be marked. The note's text comes back and the store marks the words.
    note_snippets = False
    on_connect_sql: tuple[str, ...] = (f"SET lock_timeout = '{LOCK_TIMEOUT}'",)
    # One transaction-scoped advisory lock for all writers (released at commit or rollback): the
    # audit chain's and the hash chain's heads and generated ids are read, then written.
    begin_write_sql: str | None = "SELECT pg_advisory_xact_lock(727114)"
    # The change feed (ptassist.store.change_feed): delivered at commit, never for a rolled-back change.
    notify_sql: str | None = f"SELECT pg_notify('{CHANGE_CHANNEL}', :payload)"
    listen_sql: str | None = f"LISTEN {CHANGE_CHANNEL}"
    # The lease clock (not CURRENT_TIMESTAMP, which is the transaction's start).
    server_clock_sql: str | None = "SELECT clock_timestamp()"

    def create_locks(self, execute: Execute, locks: Iterable[Lock]) -> None:
        # One function; each trigger passes its message, so the refusal reads as on SQLite.
        execute(f"CREATE OR REPLACE FUNCTION {REFUSE_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                "BEGIN RAISE EXCEPTION USING MESSAGE = TG_ARGV[0], ERRCODE = 'restrict_violation'; END $$")
        truncates: dict[str, str] = {}
        for lock in locks:
            when = f" WHEN ({lock.condition})" if lock.condition else ""
            execute(f"CREATE TRIGGER {lock.name} BEFORE {lock.event} ON {lock.table} FOR EACH ROW{when} "
                    f"EXECUTE FUNCTION {REFUSE_FUNCTION}({_quote(lock.message)})")
            if lock.event == "DELETE":
                truncates[lock.table] = lock.message
        # TRUNCATE skips row triggers: refuse it on every table whose rows may not be deleted.
        for table, message in truncates.items():
            execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} FOR EACH STATEMENT "
                    f"EXECUTE FUNCTION {REFUSE_FUNCTION}({_quote(message)})")

    def drop_locks(self, execute: Execute, locks: Iterable[Lock]) -> None:
        tables: set[str] = set()
        for lock in locks:
            execute(f"DROP TRIGGER IF EXISTS {lock.name} ON {lock.table}")
            if lock.event == "DELETE":
                tables.add(lock.table)
        for table in sorted(tables):
            execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")

    def create_name_search(self, execute: Execute) -> None:
        # The folded name is compared byte-wise, as on SQLite (the list's order does not depend on
        # the server's locale), and a trigram index serves "any word contains ..." (LIKE '%zoe%').
        execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        execute('ALTER TABLE patient ALTER COLUMN search_name TYPE text COLLATE "C"')
        execute("CREATE INDEX ix_patient_search_trgm ON patient USING gin (search_name gin_trgm_ops)")

    def drop_name_search(self, execute: Execute) -> None:
        execute("DROP INDEX IF EXISTS ix_patient_search_trgm")

    def create_note_search(self, execute: Execute) -> None:
        # The server decides which folding it can run: with ICU's root locale, or its own.
        with_icu, without = (" ".join(f"EXECUTE {_quote(sql)};" for sql in note_functions_sql(icu))
                             for icu in (True, False))
        execute("DO $do$ BEGIN IF EXISTS (SELECT 1 FROM pg_collation WHERE collname = 'und-x-icu') "
                f"THEN {with_icu} ELSE {without} END IF; END $do$")
        # Stored, not an expression index: reading the newest visits in order tests each one's words
        # without folding its notes again.
        execute(f"ALTER TABLE visit ADD COLUMN {NOTE_COLUMN} tsvector GENERATED ALWAYS AS "
                "(to_tsvector('simple'::regconfig, ptassist_note_words(narrative_json))) STORED")
        execute(f"CREATE INDEX {NOTE_INDEX} ON visit USING gin ({NOTE_COLUMN})")

    def drop_note_search(self, execute: Execute) -> None:
        execute(f"DROP INDEX IF EXISTS {NOTE_INDEX}")
        execute(f"ALTER TABLE visit DROP COLUMN IF EXISTS {NOTE_COLUMN}")
        for function in NOTE_FUNCTIONS:
            execute(f"DROP FUNCTION IF EXISTS {function}")

    def note_search_sql(self, words: Sequence[str], patient_id: int | None) -> tuple[str, dict[str, Any]]:
        params: dict[str, Any] = {"q": note_tsquery(words)}
        if patient_id is not None:
            params["p"] = patient_id
        return NOTE_QUERY.format(patient="AND v.patient_id = :p " if patient_id is not None else ""), params

    def lock_chain_head_sql(self) -> str | None:
        # Every signature and addendum appends to one chain: a row lock on its head makes the
        # appends take turns (the others wait, up to LOCK_TIMEOUT) instead of clashing.
        return "SELECT seq FROM chain_head WHERE id = 1 FOR UPDATE"

    def reserve_patient_id(self, scalar: Scalar) -> int:
        # The sequence hands each workstation its own id, so generated chart numbers never clash.
        return int(scalar("SELECT nextval(pg_get_serial_sequence('patient', 'id'))"))

    def realign_ids(self, execute: Execute, tables: Sequence[str]) -> None:
        """After rows were inserted with their own ids (an import), the sequences continue after them."""
        for table in tables:
            execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce(max(id), 0) + 1, false) "
                    f"FROM {table}")

    def problem(self, exc: BaseException, where: str = "") -> StoreError | None:
        """The server's (or libpq's) error as a StoreError with one clear line, None if not known."""
        orig = getattr(exc, "orig", None) or exc
        state = getattr(orig, "sqlstate", None) or ""
        diag = getattr(orig, "diag", None)
        primary = (getattr(diag, "message_primary", None) or str(orig)).strip()
        text = str(orig).lower()
        server = f"the PostgreSQL server{f' ({where})' if where else ''}"
        if state == "28P01" or "password authentication failed" in text:
            return StoreError(f"{server} refused the user name or password: check them in the database URL")
        if "no password supplied" in text:
            return StoreError(f"{server} asks for a password and the database URL gives none")
        if "ssl was required" in text or "does not support ssl" in text:
            return StoreError(f"{server} does not offer TLS, but the database URL requires it (sslmode): "
                              "turn TLS on at the server (docs/postgresql.md)")
        if "pg_hba.conf" in text and "no encryption" in text:
            return StoreError(f"{server} accepts only encrypted connections: add sslmode=verify-full "
                              "to the database URL (docs/postgresql.md)")
        if "certificate" in text and ("verify" in text or "root" in text):
            return StoreError(f"{server}'s TLS certificate could not be verified: check sslrootcert and the "
                              "server's name in the database URL")
        if state == "28000" or "pg_hba.conf" in text:
            return StoreError(f"{server} does not let this user in from here (pg_hba.conf): ask its administrator")
        if state == "3D000" or ("database" in text and "does not exist" in text):
            return StoreError(f"{server} has no such database: create it first (docs/postgresql.md)")
        if state == "42501":
            return StoreError(f"{server} refused: the database user lacks a privilege ({primary})")
        if state in _BUSY:
            return InUseError("another workstation is writing the same records and did not finish in "
                              f"{LOCK_TIMEOUT}; nothing was changed: try again")
        if state in _RETRY:
            return ConflictError("another workstation changed the same records at the same moment; "
                                 "nothing was changed: try again")
        if state == "23505":
            constraint = getattr(diag, "constraint_name", None) or "a unique rule"
            return ConflictError(f"another workstation saved the same record at the same moment ({constraint}); "
                                 "nothing was changed: reload and try again")
        if state == "25006":
            return ReadOnlyError(f"{server} accepts only reading (a standby or a read-only database); "
                                 "nothing was changed")
        if state == "53100":
            return DiskFullError(f"{server}'s disk is full: ask its administrator; nothing was changed")
        if state.startswith("08") or any(words in text for words in (
                "connection refused", "could not connect", "connection failed", "no such file or directory",
                "could not translate host name", "timeout expired", "server closed the connection",
                "terminating connection")):
            return StoreError(f"cannot reach {server}: it is down or unreachable; check the server and the "
                              "address in the database URL")
        return None


POSTGRESQL = PostgresqlDialect()
