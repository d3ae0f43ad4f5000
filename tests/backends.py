"""The two database back ends the store, services and CLI tests run on.

SQLite is a file in the test's data folder. PostgreSQL is a database of its own on one throwaway
server for the run (tests/pg_server.py), copied from a migrated template, so a test starts from
the same empty, up-to-date records as on SQLite; it is dropped when the test ends.
"""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.pg_server import PgServer, ServerUnavailableError, start_server

TEMPLATE = "ptassist_template"

_state: dict[str, Any] = {"server": None, "problem": None, "admin": None}
_names = itertools.count(1)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def server() -> PgServer | None:
    """The run's server, started on first use; None (with :func:`problem` saying why) when it cannot be."""
    if _state["server"] is None and _state["problem"] is None:
        if os.environ.get("PTASSIST_TEST_POSTGRESQL", "").lower() in {"0", "off", "no"}:
            _state["problem"] = "turned off by PTASSIST_TEST_POSTGRESQL"
        else:
            try:
                import psycopg  # noqa: F401
            except ImportError:
                _state["problem"] = "psycopg is not installed (pip install 'ptassist[postgresql]')"
            else:
                try:
                    started = start_server()
                except ServerUnavailableError as exc:
                    _state["problem"] = str(exc)
                else:
                    _state["server"] = started
                    _make_template(started)
        if _state["problem"]:
            print(f"\nPostgreSQL tests NOT RUN: {_state['problem']}", file=sys.stderr, flush=True)
    return _state["server"]  # type: ignore[no-any-return]


def problem() -> str | None:
    return _state["problem"]  # type: ignore[no-any-return]


def _admin() -> Any:
    if _state["admin"] is None:
        import psycopg

        pg = _state["server"]
        _state["admin"] = psycopg.connect(host=str(pg.socket_dir), port=pg.port, user="ptassist", dbname="postgres",
                                          autocommit=True)
    return _state["admin"]


def _make_template(pg: PgServer) -> None:
    from ptassist.store.database import open_database

    _admin().execute(f"CREATE DATABASE {TEMPLATE}")
    saved = os.environ.get("PTASSIST_DATABASE_URL")
    os.environ["PTASSIST_DATABASE_URL"] = pg.url(TEMPLATE)
    try:
        open_database(pg.base / "template-folder").close()
    finally:
        if saved is None:
            os.environ.pop("PTASSIST_DATABASE_URL", None)
        else:
            os.environ["PTASSIST_DATABASE_URL"] = saved


def new_database(*, migrated: bool = True) -> str:
    """A fresh database on the run's server (migrated from the template, or empty); its URL."""
    pg = server()
    assert pg is not None, problem()
    name = f"t{os.getpid()}_{next(_names)}"
    template = TEMPLATE if migrated else "template0"
    _admin().execute(f"CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY")
    if migrated:
        _new_identity(pg, name)
    return pg.url(name)


def _new_identity(pg: PgServer, name: str) -> None:
    """Each copy of the template its own identity, as each new database has (the anchor's key)."""
    import secrets

    import psycopg

    with psycopg.connect(host=str(pg.socket_dir), port=pg.port, user="ptassist", dbname=name) as connection:
        connection.execute("UPDATE evidence_head SET database_id = %s WHERE id = 1", (secrets.token_hex(16),))


def drop_database(url: str) -> None:
    from sqlalchemy import make_url

    name = make_url(url).database
    _admin().execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def stop() -> None:
    if _state["admin"] is not None:
        _state["admin"].close()
    if _state["server"] is not None:
        _state["server"].stop()
    _state.update(server=None, admin=None)


class RawConnection:
    """The database behind the app's back (sqlite3 or psycopg), for tests that tamper or check the triggers.

    ``execute`` takes ``?`` placeholders on both; ``Error`` is the driver's DatabaseError.
    """

    def __init__(self, database: Any) -> None:
        if database.path is not None:
            import sqlite3

            self.connection: Any = sqlite3.connect(database.path)
            self.Error: type[Exception] = sqlite3.DatabaseError
            self.sqlite = True
        else:
            import psycopg
            from sqlalchemy import make_url

            url = make_url(database.url)
            self.connection = psycopg.connect(host=url.query["host"], port=url.query["port"], user=url.username,
                                              dbname=url.database)
            self.Error = psycopg.DatabaseError
            self.sqlite = False

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        return self.connection.execute(sql if self.sqlite else sql.replace("?", "%s"), params)

    def fetch_dict(self, sql: str, params: tuple[Any, ...] = ()) -> dict[str, Any]:
        """The first row of ``sql`` as {column: value}."""
        cursor = self.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))

    def drop_trigger(self, name: str) -> None:
        if self.sqlite:
            self.execute(f"DROP TRIGGER {name}")
            return
        table = self.execute("SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = ?", (name,)).fetchone()[0]
        self.execute(f"DROP TRIGGER {name} ON {table}")

    def drop_locks(self) -> None:
        """Every lock trigger dropped, as the file's owner or the server's superuser can (SQLite keeps
        its search index triggers)."""
        if self.sqlite:
            names = [name for (name,) in self.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                                      "AND name NOT LIKE '%fts%'")]
            for name in names:
                self.execute(f"DROP TRIGGER {name}")
            return
        for name, table in self.execute("SELECT tgname, tgrelid::regclass::text FROM pg_trigger "
                                        "WHERE NOT tgisinternal").fetchall():
            self.execute(f"DROP TRIGGER {name} ON {table}")

    def commit(self) -> None:
        self.connection.commit()

    def close(self) -> None:
        self.connection.close()


@contextmanager
def elsewhere() -> Iterator[None]:
    """Records opened in another folder inside this block get records of their own: on SQLite the
    folder's file; on PostgreSQL a second fresh database (PTASSIST_DATABASE_URL is put back after)."""
    url = os.environ.get("PTASSIST_DATABASE_URL")
    if not url:
        yield
        return
    os.environ["PTASSIST_DATABASE_URL"] = new_database()
    try:
        yield
    finally:
        os.environ["PTASSIST_DATABASE_URL"] = url
