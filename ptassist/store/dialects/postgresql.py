"""PostgreSQL's SQL: PL/pgSQL lock triggers, a trigram index for the name search, a row lock on the
chain head, patient ids (and so chart numbers) from the table's sequence, and the server's errors
as one clear line each."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ptassist.store.dialects import Execute, Lock, Scalar
from ptassist.store.errors import ConflictError, DiskFullError, InUseError, ReadOnlyError, StoreError

REFUSE_FUNCTION = "ptassist_refuse_change"
LOCK_TIMEOUT = "15s"  # a writer waits this long for another workstation's write, then says so

# SQLSTATE codes (PostgreSQL's "Appendix A. Error Codes").
_BUSY = {"55P03": "lock_not_available", "57014": "query_canceled"}
_RETRY = {"40001": "serialization_failure", "40P01": "deadlock_detected"}


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class PostgresqlDialect:
    """See :class:`ptassist.store.dialects.Dialect`."""

    name = "postgresql"
    full_text_search = False
    on_connect_sql: tuple[str, ...] = (f"SET lock_timeout = '{LOCK_TIMEOUT}'",)
    # One transaction-scoped advisory lock for all writers (released at commit or rollback): the
    # audit chain's and the hash chain's heads and generated ids are read, then written.
    begin_write_sql: str | None = "SELECT pg_advisory_xact_lock(727114)"

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
