"""Open the database safely: check the file, set the pragmas, back up, then migrate.

A PostgreSQL URL (``postgresql://`` or ``postgresql+psycopg://``) opens a shared server's database
instead: its SQL that differs from SQLite's lives in :mod:`ptassist.store.dialects`.
"""

from __future__ import annotations

import contextlib
import errno
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import URL, Engine, QueuePool, create_engine, event, inspect, make_url, text
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError
from sqlmodel import Session

from ptassist import paths
from ptassist.security.encoding import sqlcipher_key_pragma_value
from ptassist.security.files import create_private, make_private_folder, tighten, tighten_tree
from ptassist.store import in_use, snapshots
from ptassist.store.dialects import Dialect, for_name
from ptassist.store.errors import (
    DiskFullError,
    LockedError,
    ReadOnlyError,
    StoreError,
    disk_full_message,
    disk_full_reason,
    store_error_for,
)
from ptassist.store.revisions import HEAD, KNOWN_REVISIONS
from ptassist.store.sqlite_file import (
    check_sqlite_file,
    connect_read_only,
    is_plain_sqlite,
    read_only_reason,
)

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # the option is %-interpolated
    return config


def head_revision() -> str:
    return HEAD


def known_revisions() -> set[str]:
    return set(KNOWN_REVISIONS)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (see _begin)
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    # FULL: every commit (draft saves included) is on disk before it returns; fsync is cheap here
    # and a clinician's note must survive a power cut.
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.close()


WRITE_OPTION = "ptassist_write"


def _begin(connection: Any) -> None:
    # Write transactions take the write lock at once: a deferred transaction that later writes
    # can fail with SQLITE_BUSY instead of waiting for the busy timeout. Reads stay deferred, so
    # in WAL mode they read a snapshot and never wait for a writer.
    if connection.get_execution_options().get(WRITE_OPTION):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.exec_driver_sql("BEGIN")


def _quiet_cipher(dbapi_connection: Any, _record: Any) -> None:
    # A key that does not open the file is reported by ptassist, not printed by SQLCipher on stderr.
    dbapi_connection.execute("PRAGMA cipher_log_level = NONE")


def sqlite_url(path: Path | str, key: bytes | None = None) -> URL:
    """The URL object of an SQLite file, SQLCipher-keyed when ``key`` is given.

    A file path goes in as a URL object, not parsed text: '?' or '#' in a folder name is a name.
    The raw key is the URL's password (SQLAlchemy's pysqlcipher dialect issues ``PRAGMA key`` with
    it on every new connection); ``str(url)`` never shows it.
    """
    if key is None:
        return URL.create("sqlite", database=str(path))
    return URL.create("sqlite+pysqlcipher", password=sqlcipher_key_pragma_value(key), database=str(path))


def make_engine(url: str, key: bytes | None = None) -> Engine:
    """An engine with ptassist's SQLite settings (WAL, foreign keys, FULL sync, busy timeout).

    With ``key`` (SQLite files only) the file is SQLCipher-encrypted with that raw key. Such an
    engine uses a QueuePool like the plain one (the pysqlcipher dialect would default to a pool
    that shares one connection per thread, which the store's background threads should not).
    """
    if url.startswith("sqlite"):
        target: str | URL = sqlite_url(url.removeprefix("sqlite:///"), key) if url.startswith("sqlite:///") else url
        options: dict[str, Any] = {"poolclass": QueuePool} if key is not None else {}
        engine = create_engine(target, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
                               **options)
        if key is not None:
            event.listen(engine, "connect", _quiet_cipher)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _begin)
        return engine
    return _make_server_engine(url)


def server_engine(url: str) -> Engine:
    """:func:`make_engine` for a server URL, or a :class:`StoreError` saying in one line why it cannot
    be made (the driver or libpq missing, a URL that is not one)."""
    try:
        return make_engine(url)
    except ImportError as exc:  # the driver, or the client library it loads (libpq)
        from ptassist.store.server_check import missing_driver

        raise StoreError(f"cannot open the records on {safe_location(url)}: {missing_driver(exc)}") from None
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        raise StoreError(f"the database URL cannot be used: {_url_problem(exc)}") from None


def server_url(url: str) -> URL:
    """A server URL with ptassist's driver: ``postgresql://`` means psycopg 3, not psycopg2."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def safe_location(url: str) -> str:
    """Where a server database is, for messages and logs: host, port and name, never the password."""
    parsed = make_url(url)
    host = parsed.host or parsed.query.get("host") or "local socket"
    port = f":{parsed.port}" if parsed.port else ""
    return f"{host if isinstance(host, str) else host[0]}{port}/{parsed.database or ''}"


def _make_server_engine(url: str) -> Engine:
    target = server_url(url)
    dialect = for_name(target.get_dialect().name)
    # prepare_threshold None: no server-side prepared statements. A prepared name search gets a
    # generic plan that cannot see the pattern, and was 2-5x slower than the same query run raw.
    engine = create_engine(target, pool_pre_ping=True,
                           connect_args={"application_name": "ptassist", "prepare_threshold": None})

    def _settings(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        for statement in dialect.on_connect_sql:
            cursor.execute(statement)
        cursor.close()
        dbapi_connection.commit()

    def _begin_write(connection: Any) -> None:
        # Writers take turns, as on SQLite (BEGIN IMMEDIATE): every read-then-write (the chains'
        # heads, generated numbers) sees the previous writer's commit.
        if connection.get_execution_options().get(WRITE_OPTION) and dialect.begin_write_sql:
            connection.exec_driver_sql(dialect.begin_write_sql)

    event.listen(engine, "connect", _settings)
    event.listen(engine, "begin", _begin_write)
    return engine


def _read_only_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA query_only = ON")
    cursor.close()


def make_read_only_engine(path: Path, key: bytes | None = None) -> Engine:
    """An engine over an SQLite file that cannot write (``mode=ro``, or immutable in a read-only folder)."""
    # The URL picks the dialect (and so which driver's errors are mapped) and a file's connection
    # pool; the creator makes each connection, keyed already (the dialect's key PRAGMA repeats it).
    engine = create_engine(sqlite_url(path, key), poolclass=QueuePool,
                           creator=lambda: connect_read_only(path, BUSY_TIMEOUT_MS / 1000, key=key))
    event.listen(engine, "connect", _read_only_pragmas)
    event.listen(engine, "begin", _begin)
    return engine


@dataclass
class Database:
    """An open, migrated database with its data folder.

    ``read_only`` is None for records that can be written, else the reason they cannot (a sentence
    such as "the folder /srv/ptassist is read-only (Permission denied)"): reading, printing stored
    sheets and export work; every write raises :class:`ReadOnlyError` naming that reason.
    ``warnings`` holds what went wrong on the way that did not stop the opening (a daily backup
    that did not fit on the disk, ...), for the app or the CLI to show.
    """

    engine: Engine
    url: str
    folder: Path
    path: Path | None  # the SQLite file, when the URL is SQLite
    read_only: str | None = None
    warnings: list[str] = field(default_factory=list)
    in_use_marker: Path | None = None
    key: bytes | None = field(default=None, repr=False)  # the SQLCipher key of an encrypted file

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def encrypted(self) -> bool:
        """Whether the SQLite file is SQLCipher-encrypted (its backups are too, with the same key)."""
        return self.key is not None

    @property
    def dialect(self) -> Dialect:
        """The SQL that differs between back ends, for this database's."""
        return for_name(self.engine.dialect.name)

    @property
    def location(self) -> str:
        """The file, or the server database without its password, for messages."""
        return str(self.path) if self.path is not None else safe_location(self.url)

    def store_error(self, exc: BaseException) -> StoreError | None:
        """A driver error as a StoreError fit for the clinician (None: not one this store knows)."""
        if self.is_sqlite:
            return store_error_for(exc, self.path) if isinstance(exc, OperationalError) else None
        return self.dialect.problem(exc, self.location)

    def session(self) -> Session:
        """A session for reading (a consistent snapshot; it takes no write lock)."""
        return Session(self.engine, expire_on_commit=False)

    def session_factory(self) -> Callable[[], Session]:
        return self.session

    def refuse_if_read_only(self) -> None:
        if self.read_only:
            raise ReadOnlyError(f"the records are open read-only because {self.read_only}; nothing was changed")

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A writing session: takes the write lock, commits on success, rolls back on any error."""
        self.refuse_if_read_only()
        writer = self.engine.execution_options(**{WRITE_OPTION: True})
        with Session(writer, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except DBAPIError as exc:
                session.rollback()
                known = self.store_error(exc)
                if known is not None:
                    raise known from exc
                message = _primary_message(exc)  # a lock trigger's refusal
                if "locked" in message or "permanent" in message:
                    raise LockedError(message) from exc
                raise
            except BaseException:
                session.rollback()
                raise

    def close(self) -> None:
        self.engine.dispose()
        in_use.unregister(self.in_use_marker)
        self.in_use_marker = None


def _primary_message(exc: DBAPIError) -> str:
    """The driver's message without PostgreSQL's CONTEXT lines (a trigger's refusal, as on SQLite)."""
    diag = getattr(exc.orig, "diag", None)
    return str(getattr(diag, "message_primary", None) or exc.orig)


def current_revision(engine: Engine) -> str | None:
    """The schema revision recorded in the database (None for a new one), read without Alembic."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None  # a new database
        row = connection.execute(text("SELECT version_num FROM alembic_version")).first()
        return str(row[0]) if row else None


def open_database(
    folder: Path | None = None, url: str | None = None, key: bytes | None = None, *, migrate: bool = True,
    backup: bool = True, daily_backup: bool = True, thorough_check: bool = True,
) -> Database:
    """Open (creating if needed) the database in ``folder`` and bring it to the newest schema.

    ``url`` defaults to the data folder's (``paths.database_url``). With ``key`` (the clinic's
    database key) an SQLite file is SQLCipher-encrypted: a new one is created encrypted, a plain
    one is encrypted first (once, after a plain backup: :mod:`ptassist.store.encryption`), and a
    key that does not open it raises :class:`WrongKeyError`; without a key an encrypted file is
    refused. A server database ignores the key (the server protects its own files).

    A corrupt file raises :class:`CorruptDatabaseError` before anything touches it; a locked one
    :class:`InUseError`. Records in a folder, file or disk that cannot be written open read-only
    (see :class:`Database`). When a migration is needed, a backup is taken first; a daily backup is
    taken on the first start of each day (one that fails is a warning, not a failure).
    """
    folder = folder or paths.data_dir()
    url = url or paths.database_url(folder)
    if not url.startswith("sqlite:///"):
        engine = server_engine(url)
        return _open_engine(Database(engine=engine, url=url, folder=folder, path=None), migrate=migrate)
    path = Path(url.removeprefix("sqlite:///"))
    try:
        private_data_folder(path.parent)
    except OSError as exc:
        raise StoreError(f"cannot create the data folder {path.parent}: {exc.strerror}") from None
    reason = read_only_reason(path)
    if reason is None:
        with contextlib.suppress(OSError):
            tighten_tree(path.parent)  # files and folders left 0644/0755 by earlier versions
    check_sqlite_file(path, thorough=thorough_check, key=key)
    warnings: list[str] = []
    if key is not None and is_plain_sqlite(path):
        if reason is not None:
            key = None  # it cannot be encrypted where it is: read it as it is
            warnings.append(f"the records are not encrypted yet, and cannot be while {reason}")
        else:
            from ptassist.store.encryption import encrypt_plain_database

            warnings.append(encrypt_plain_database(path, folder, key).notice())
    if reason is None:
        try:
            database = _open_writable(folder, url, path, key, migrate=migrate, backup=backup,
                                      daily_backup=daily_backup)
            database.warnings[:0] = warnings
            return database
        except DiskFullError:
            if not path.exists() or path.stat().st_size == 0:
                raise
            reason = disk_full_reason(path.parent)  # reading needs no room: open read-only
    if not path.exists() or path.stat().st_size == 0:
        raise StoreError(f"cannot create the records in {path.parent}: {reason}")
    log.info("records opened read-only")
    database = Database(engine=make_read_only_engine(path, key), url=url, folder=folder, path=path, read_only=reason,
                        warnings=warnings, key=key)
    return _open_engine(database, migrate=False)


def private_data_folder(folder: Path) -> None:
    """Create the data folder 0700, or tighten an existing one where that is allowed (a read-only
    disk or someone else's folder is left as it is: opening it read-only says why)."""
    if folder.is_dir():
        with contextlib.suppress(OSError):
            tighten(folder)
        return
    make_private_folder(folder)


def _open_writable(folder: Path, url: str, path: Path, key: bytes | None, *, migrate: bool, backup: bool,
                   daily_backup: bool) -> Database:
    if not path.exists():
        # Create the file ourselves so that it is private to this user from the start.
        try:
            create_private(path).close()
        except FileExistsError:
            pass  # another process made it meanwhile
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise DiskFullError(disk_full_message(path.parent)) from None
            raise StoreError(f"cannot create {path}: {exc.strerror}") from None
    database = Database(engine=make_engine(url, key), url=url, folder=folder, path=path, key=key)
    database.in_use_marker = in_use.register(folder)
    return _open_engine(database, migrate=migrate, backup=backup, daily_backup=daily_backup)


def _open_engine(database: Database, *, migrate: bool, backup: bool = False, daily_backup: bool = False) -> Database:
    path = database.path
    try:
        revision = current_revision(database.engine)
        if revision is not None and revision not in known_revisions():
            raise StoreError(
                f"{database.location} was written by a newer ptassist (schema {revision}); "
                "update ptassist to open it"
            )
        if database.read_only and revision != head_revision():
            raise StoreError(f"{path} was written by an earlier ptassist and must be upgraded before it can be "
                             f"opened, but {database.read_only}: copy the folder somewhere writable and open it there")
        if migrate and revision != head_revision():
            if backup and path is not None and revision is not None:
                snapshots.rotate(path, database.folder, reason="pre-migration", key=database.key)
            upgrade(database)
        _compare_with_anchor(database)
        if backup and daily_backup and path is not None and revision is not None:
            try:
                snapshots.daily(path, database.folder, key=database.key)
            except StoreError as exc:
                log.info("daily backup not taken: %s", type(exc).__name__)
                database.warnings.append(f"today's automatic backup was not taken: {exc}")
    except DBAPIError as exc:
        database.close()
        known = database.store_error(exc)
        if known is not None:
            raise known from exc
        if database.is_sqlite:
            raise
        raise StoreError(f"database error ({database.location}): {_primary_message(exc)}") from exc
    except BaseException:
        database.close()
        raise
    return database


def _compare_with_anchor(database: Database) -> None:
    """Records that end before the chain heads this workstation last saw (a rollback) open with a
    warning; a restore on purpose that another workstation signed for opens with a notice instead."""
    from ptassist.store import anchor
    from ptassist.store.restore_statements import restore_records
    from ptassist.store.sql_run import connection_runner

    with database.engine.connect() as connection:
        backups = snapshots.backup_policy(database.folder).folder
        database.warnings += anchor.on_open(connection_runner(connection), backups, writable=not database.read_only,
                                            statements=restore_records(connection))
        connection.rollback()


def _url_problem(exc: BaseException) -> str:
    if isinstance(exc, NoSuchModuleError):
        return "its back end is not installed (for PostgreSQL: pip install 'ptassist[postgresql]')"
    return "it is not a database URL such as postgresql://user@server/ptassist?sslmode=verify-full"


def upgrade(database: Database, revision: str = "head") -> None:
    """Run the Alembic migrations up to ``revision`` on this database."""
    from alembic import command

    config = alembic_config(database.url)
    with database.engine.connect() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        connection.commit()
    log.info("database schema at %s", current_revision(database.engine))
