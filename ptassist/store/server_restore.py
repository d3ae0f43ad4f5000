"""Restoring a PostgreSQL database from a backup, with the checks the SQLite file's restore makes.

1. The backup is read before anything changes: a ``pg_dump`` archive (``pg_restore --list`` must
   show every table ptassist keeps records in) or ptassist's own export (``ptassist-export/1``,
   what ``backup`` writes where ``pg_dump`` is missing). Its records go into a staging schema of
   the same database (:data:`STAGING`), built by ptassist's migrations at the backup's revision and
   then brought to this version's, so what is checked is exactly what would go live.
2. The staged records must pass the hash-chain and signature check (``verify``).
3. Records the current database holds and the backup lacks (visits, patients, addenda, printed
   sheets) refuse the restore unless the caller says to set them aside (:class:`NewerRecordsError`).
4. The current records are backed up first (into the backup folder; ``pg_dump`` or an export).
5. One transaction replaces every table's rows with the staged ones (but the clinic's keys: who
   may log in stays as it is, :data:`KEPT_IF_HELD`) and drops the staging schema: either all of it
   is live or none of it. The row locks on signed records are lifted for that one
   transaction only (``ALTER TABLE … DISABLE TRIGGER USER``, which only the tables' owner role may
   do); the id sequences never go back, so an id (and chart number) already handed out is not
   handed out again. Other workstations' writes wait for it (up to the lock timeout).
6. In the same transaction, the restoring administrator signs a restore statement (the heads just
   before and after the swap), so the other workstations accept the shorter records on purpose;
   the statements of earlier restores are never swapped out (:mod:`ptassist.store.restore_statements`).

Nothing in the backup file is run as SQL: ptassist creates the staging tables itself and loads
only the archive's COPY data into them, under column names its own schema has.
"""

from __future__ import annotations

import logging
import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from ptassist.store import anchor, restore_statements, snapshots
from ptassist.store.database import Database, head_revision, known_revisions, make_engine, upgrade
from ptassist.store.errors import StoreError
from ptassist.store.newer_records import NewerRecordsError, newer_in_schemas
from ptassist.store.restore_statements import Restored, Restorer
from ptassist.store.server_backup import REQUIRED_DATA, STAGING, backup_server, find_tool, tool_environment
from ptassist.store.sql_run import connection_runner

log = logging.getLogger(__name__)

RESTORE_LOCK = 727115  # beside the writers' 727114 (ptassist.store.dialects.postgresql)
ARCHIVE_MAGIC = b"PGDMP"
SERVER_BACKUP_GLOB = "ptassist-server-*"
NOT_COPIED = {"alembic_version", "draft_lease"}  # the schema's own revision; leases are live state
# The clinic's keys (who may log in, with which password) stay as they are: a restore brings back
# records, not passwords changed since. The backup's are taken only where the server holds none
# (disaster recovery on a new server).
KEPT_IF_HELD = {"clinic_keys"}
_NAME = r'"?([A-Za-z_][A-Za-z0-9_]*)"?'
_COPY_HEADER = re.compile(rf"^COPY (?:{_NAME}\.)?{_NAME} \((.*)\) FROM stdin;$")
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Backup:
    """A checked backup file: a pg_dump archive or a plain ptassist export, and its schema revision."""

    path: Path
    archive: bool
    revision: str


def server_backup_name(reason: str, archive: bool) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
    return f"ptassist-server-{stamp}-{reason}.{'dump' if archive else 'json'}"


def rotate_server_backup(database: Database, *, reason: str, keep: int | None = None) -> Path:
    """A backup of the server database into the workstation's backup folder (the newest ``keep``
    of them are kept, as the file back end's automatic backups are)."""
    policy = snapshots.backup_policy(database.folder)
    policy.folder.mkdir(parents=True, exist_ok=True)
    target = backup_server(database, policy.folder / server_backup_name(reason, find_tool("pg_dump") is not None))
    for old in list_server_backups(database.folder)[keep or policy.keep:]:
        old.unlink(missing_ok=True)
    log.info("server backup taken (%s)", reason)
    return target


def list_server_backups(folder: Path) -> list[Path]:
    """The server backups this workstation took into its backup folder (``folder``: the data folder), newest first."""
    directory = snapshots.backup_policy(folder).folder
    return sorted(directory.glob(SERVER_BACKUP_GLOB), reverse=True) if directory.is_dir() else []


# ------------------------------------------------------------------------------- reading the backup
def _pg_restore() -> str:
    tool = find_tool("pg_restore")
    if tool is None:
        raise StoreError("cannot restore a pg_dump archive: pg_restore is not installed (Debian/Ubuntu: "
                         "sudo apt install postgresql-client); nothing was changed")
    return tool


def _run_pg_restore(args: list[str], candidate: Path) -> subprocess.CompletedProcess[bytes]:
    # The archive is read from the file alone: no connection, so no password is needed or passed.
    done = subprocess.run([_pg_restore(), *args, str(candidate)], capture_output=True, check=False,
                          env=tool_environment())
    if done.returncode != 0:
        lines = [line.strip() for line in done.stderr.decode("utf-8", "replace").splitlines() if line.strip()]
        raise StoreError(f"cannot restore: {candidate} is not a readable pg_dump archive "
                         f"({lines[-1] if lines else 'pg_restore failed'}); nothing was changed")
    return done


def _data_lines(stream: Any) -> Iterator[bytes]:
    for row in stream:
        if row.rstrip(b"\r\n") == b"\\.":
            return
        yield row


@contextmanager
def _table_data(backup_path: Path, table: str) -> Iterator[tuple[list[str], Iterator[bytes]] | None]:
    """The archive's COPY block for ``table`` (schema public), streamed from pg_restore and never
    held whole in memory: its column names and its data lines, or None when it has none."""
    with subprocess.Popen([_pg_restore(), "--data-only", "--schema=public", f"--table={table}", "--file=-",
                           str(backup_path)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=tool_environment()) as reading:
        assert reading.stdout is not None and reading.stderr is not None
        block = None
        for line in reading.stdout:
            header = _COPY_HEADER.match(line.decode("utf-8", "replace").rstrip("\r\n"))
            if header is not None and header.group(2) == table and header.group(1) in (None, "public"):
                block = ([c.strip().strip('"') for c in header.group(3).split(",")], _data_lines(reading.stdout))
                break
        yield block
        reading.stdout.read()
        problem = reading.stderr.read().decode("utf-8", "replace").strip()
    if reading.returncode != 0:
        last = problem.splitlines()[-1] if problem else "pg_restore failed"
        raise StoreError(f"cannot restore: {backup_path} could not be read ({last}); nothing was changed")


def check_candidate(candidate: Path) -> Backup:
    """What ``candidate`` is, checked before anything changes (StoreError says what is wrong)."""
    candidate = candidate.expanduser().resolve()
    if not candidate.is_file():
        raise StoreError(f"{candidate}: no such backup file; nothing was changed")  # as the file back end says
    try:
        with open(candidate, "rb") as handle:
            start = handle.read(16)
    except OSError as exc:
        raise StoreError(f"cannot restore: {candidate} cannot be read ({exc.strerror}); nothing was changed") from None
    if start.startswith(ARCHIVE_MAGIC):
        listed = _run_pg_restore(["--list"], candidate).stdout.decode("utf-8", "replace")
        missing = [t for t in REQUIRED_DATA if f"TABLE DATA public {t} " not in listed]
        if missing:
            raise StoreError(f"cannot restore: {candidate} holds no {missing[0]} table, so it is not a backup of "
                             "ptassist records; nothing was changed")
        with _table_data(candidate, "alembic_version") as block:
            first = next(block[1], b"") if block is not None else b""
        revision = first.decode("utf-8", "replace").strip()
        backup = Backup(candidate, True, revision)
    else:
        from ptassist.store.export_checks import ExportError
        from ptassist.store.transfer import export_revision

        try:
            revision = export_revision(candidate)
        except ExportError as exc:
            raise StoreError(f"cannot restore: {candidate} {exc}; nothing was changed") from None
        backup = Backup(candidate, False, revision)
    if backup.revision not in known_revisions():
        why = ("newer than this ptassist knows: update ptassist first" if backup.revision > head_revision()
               else "not one ptassist makes")
        raise StoreError(f"cannot restore: {candidate} is at schema revision {backup.revision or 'unknown'}, "
                         f"{why}; nothing was changed")
    return backup


# ------------------------------------------------------------------------------------ the staging
@contextmanager
def _refused_as_store_error(database: Database) -> Iterator[None]:
    try:
        yield
    except DBAPIError as exc:
        raise StoreError(f"cannot restore: {_refusal(database, exc)}; nothing was changed") from None


@contextmanager
def _one_restore_at_a_time(database: Database) -> Iterator[None]:
    """Hold the restore's own advisory lock (a session lock, on a connection kept for it): a second
    workstation restoring at the same moment is told so, and cannot drop this one's staging."""
    with _refused_as_store_error(database), database.engine.connect() as connection:
        if not connection.exec_driver_sql(f"SELECT pg_try_advisory_lock({RESTORE_LOCK})").scalar_one():
            raise StoreError("cannot restore: another workstation is restoring these records right now; "
                             "nothing was changed")
        try:
            yield
        finally:
            connection.exec_driver_sql(f"SELECT pg_advisory_unlock({RESTORE_LOCK})")


@contextmanager
def _staging(database: Database) -> Iterator[Database]:
    """A Database over the staging schema (new and empty), dropped again unless it went live."""
    engine = make_engine(database.url)

    @event.listens_for(engine, "connect")
    def _in_staging(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"SET search_path TO {STAGING}, public")  # public: pg_trgm's operators
        cursor.close()
        dbapi_connection.commit()

    staged = Database(engine=engine, url=database.url, folder=database.folder, path=None)
    try:
        with _refused_as_store_error(database), database.engine.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {STAGING} CASCADE")
            connection.exec_driver_sql(f"CREATE SCHEMA {STAGING}")
            # Alembic's own table first: else the migrations would find the live one through public
            connection.exec_driver_sql(f"CREATE TABLE {STAGING}.alembic_version (version_num VARCHAR(32) NOT NULL "
                                       "CONSTRAINT alembic_version_pkc PRIMARY KEY)")
        yield staged
    finally:
        engine.dispose()
        try:
            with database.engine.begin() as connection:
                connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {STAGING} CASCADE")
        except DBAPIError:
            log.warning("the restore's staging schema could not be dropped")


def _table_columns(connection: Connection, schema: str) -> dict[str, set[str]]:
    rows = connection.execute(text("SELECT table_name, column_name FROM information_schema.columns "
                                   "WHERE table_schema = :s AND is_generated = 'NEVER'"), {"s": schema}).all()
    columns: dict[str, set[str]] = {}
    for table, column in rows:
        columns.setdefault(str(table), set()).add(str(column))
    return columns


def _copy_table(cursor: Any, table: str, columns: set[str], backup: Backup) -> None:
    """``table``'s rows from the archive into its staging table, under ptassist's column names."""
    with _table_data(backup.path, table) as block:
        if block is None:
            return
        names, rows = block
        strange = [c for c in names if not _IDENTIFIER.match(c) or c not in columns]
        if strange:
            raise StoreError(f"cannot restore: {backup.path} has a column {table}.{strange[0][:40]} that "
                             f"ptassist's schema at revision {backup.revision} does not; nothing was changed")
        with cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
            buffer = bytearray()
            for row in rows:
                buffer += row
                if len(buffer) >= _CHUNK:
                    copy.write(bytes(buffer))
                    buffer.clear()
            if buffer:
                copy.write(bytes(buffer))


def _load_archive(staged: Database, backup: Backup) -> None:
    """The archive's rows into the staging tables, parents before children."""
    from sqlmodel import SQLModel

    with staged.engine.begin() as connection:
        known = _table_columns(connection, STAGING)
        order = [t.name for t in SQLModel.metadata.sorted_tables if t.name in known]
        order += sorted(set(known) - set(order))
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        for table in order:
            if table in NOT_COPIED:
                continue
            # the rows the migrations seeded (settings, chain heads) make way for the backup's
            connection.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            connection.exec_driver_sql(f"DELETE FROM {table}")
            _copy_table(cursor, table, known[table], backup)
            connection.exec_driver_sql(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def _stage(staged: Database, backup: Backup) -> None:
    if backup.archive:
        upgrade(staged, backup.revision)
        try:
            _load_archive(staged, backup)
        except DBAPIError as exc:
            raise StoreError(f"cannot restore: the server refused {backup.path}'s records "
                             f"({_primary(exc)}); nothing was changed") from None
        upgrade(staged)  # a backup from an earlier version: brought to this version's schema
    else:
        from ptassist.store.export_checks import ExportError
        from ptassist.store.transfer import import_database

        upgrade(staged)
        try:
            import_database(staged, backup.path)
        except ExportError as exc:
            raise StoreError(f"cannot restore: {backup.path} {exc}; nothing was changed") from None


def _primary(exc: DBAPIError) -> str:
    diag = getattr(exc.orig, "diag", None)
    return str(getattr(diag, "message_primary", None) or type(exc.orig).__name__)


def _check_chain(staged: Database, backup: Backup) -> None:
    from ptassist.store.verify import verify_chain

    report = verify_chain(staged)
    if not report.ok:
        first = report.problems[0]
        which = f"{first.record_type} {first.record_id}" if first.record_id is not None else first.record_type
        raise StoreError(f"cannot restore: {backup.path} fails its hash-chain check ({which}: {first.message}; "
                         f"{len(report.problems)} problem(s) in all); nothing was changed")


# ----------------------------------------------------------------------------------- going live
def _keep_statements(connection: Connection, live: dict[str, set[str]], staged: dict[str, set[str]]) -> None:
    """The live restore statements stay; the backup's that the live table lacks are added (see
    :mod:`ptassist.store.restore_statements` for why both)."""
    table = restore_statements.TABLE
    if table not in live or table not in staged:
        return
    names = ", ".join(restore_statements.COLUMNS)
    connection.exec_driver_sql(f"INSERT INTO public.{table} ({names}) SELECT {names} FROM {STAGING}.{table} s "
                               f"WHERE NOT EXISTS (SELECT 1 FROM public.{table} p WHERE p.signature = s.signature) "
                               "ORDER BY s.id")


def _go_live(database: Database, restorer: Restorer | None, backup: Backup) -> tuple[bool, str]:
    """Every table's rows replaced by the staged ones, in one transaction (see the module's text),
    and the restore's signed statement written in it; returns what became of the statement."""
    from sqlmodel import SQLModel

    with database.engine.begin() as connection:
        dialect = database.dialect
        if dialect.begin_write_sql:
            connection.exec_driver_sql(dialect.begin_write_sql)  # the other writers wait for this one
        run = connection_runner(connection)
        before = anchor.read_head(run)
        live = _table_columns(connection, "public")
        staged = _table_columns(connection, STAGING)
        kept = {"alembic_version", restore_statements.TABLE}
        tables = [t.name for t in SQLModel.metadata.sorted_tables if t.name in live and t.name not in kept]
        tables += sorted(set(live) - set(tables) - kept)
        serial = text("SELECT pg_get_serial_sequence(:t, 'id')")
        sequences = {table: connection.execute(serial, {"t": f"public.{table}"}).scalar_one()
                     for table in tables if "id" in live[table]}
        handed_out = {table: connection.exec_driver_sql(f"SELECT last_value FROM {seq}").scalar_one()
                      for table, seq in sequences.items() if seq}
        for table in tables:
            connection.exec_driver_sql(f"ALTER TABLE public.{table} DISABLE TRIGGER USER")
        held = {t for t in KEPT_IF_HELD & set(tables)
                if connection.exec_driver_sql(f"SELECT EXISTS (SELECT 1 FROM public.{t})").scalar_one()}
        connection.exec_driver_sql(f"TRUNCATE {', '.join('public.' + t for t in tables if t not in held)}")
        for table in tables:
            if table in NOT_COPIED or table in held or table not in staged:
                continue
            names = ", ".join(sorted(live[table] & staged[table]))
            connection.exec_driver_sql(f"INSERT INTO public.{table} ({names}) OVERRIDING SYSTEM VALUE "
                                       f"SELECT {names} FROM {STAGING}.{table}")
        for table in tables:
            connection.exec_driver_sql(f"ALTER TABLE public.{table} ENABLE TRIGGER USER")
        for table, seq in sequences.items():
            if seq:
                connection.exec_driver_sql(f"SELECT setval('{seq}', greatest({int(handed_out[table])}, "
                                           f"(SELECT coalesce(max(id), 0) FROM public.{table})))")
        _keep_statements(connection, live, staged)
        after = anchor.read_head(run)
        statement = False, ""
        if before is not None and after is not None:
            statement = restore_statements.write_statement(connection, restorer, before, after, backup.path.name)
        connection.exec_driver_sql(f"DROP SCHEMA {STAGING} CASCADE")
    return statement


def _refusal(database: Database, exc: DBAPIError) -> str:
    if "must be owner" in str(exc.orig) or "permission denied" in str(exc.orig):
        return ("the account in the database URL may not change the tables: restore as the database's owner "
                "role (docs/postgresql.md)")
    problem = database.store_error(exc)
    return str(problem) if problem else _primary(exc)


def restore_server(database: Database, candidate: Path, *, replace_newer: bool = False,
                   restorer: Restorer | None = None) -> Restored:
    """Replace the server's records with a checked backup; the current records are backed up
    first, and ``restorer`` signs the restore's statement. Raises
    :class:`ptassist.store.backup.NewerRecordsError` (nothing changed) when the current records
    hold what the backup lacks, unless ``replace_newer``."""
    database.refuse_if_read_only()
    backup = check_candidate(candidate)
    with _one_restore_at_a_time(database), _staging(database) as staged:
        try:
            _stage(staged, backup)
            _check_chain(staged, backup)
            staged.engine.dispose()
            if not replace_newer:
                with database.engine.connect() as connection:
                    newer = newer_in_schemas(connection, "public", STAGING)
                if newer:
                    raise NewerRecordsError(newer)
        except DBAPIError as exc:
            raise StoreError(f"cannot restore: {_refusal(database, exc)}; nothing was changed") from None
        safety = rotate_server_backup(database, reason="pre-restore", keep=10_000)
        try:
            signed, statement = _go_live(database, restorer, backup)
        except DBAPIError as exc:
            raise StoreError(f"not restored, the records are unchanged ({_refusal(database, exc)}); the backup "
                             f"taken first is {safety}") from None
    log.info("server database restored from a backup (%s)", "restore statement signed" if signed else "unsigned")
    return Restored(safety, signed, statement)
