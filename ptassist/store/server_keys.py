"""The clinic's keys kept on a PostgreSQL server (migration 0010's ``clinic_keys`` row), read and
written for the login before the records are opened.

The text is the ``ptassist-keys/1`` JSON of ``ptassist.keys``; what is in it and how changes from
several workstations are laid over each other is :mod:`ptassist.security.keyfile_merge`'s. Writes
take an advisory lock for their transaction, so two workstations changing the keys at once take
turns (the second reads the first's change). Connection problems are a :class:`StoreError` with
the same one line as opening the records.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import ArgumentError, DBAPIError

from ptassist.store.clock import now_iso
from ptassist.store.errors import StoreError

KEYS_LOCK = 727116  # pg_advisory_xact_lock key: one change to the keys at a time (727115 is restore's)
_TABLE = "SELECT to_regclass('clinic_keys') IS NOT NULL"
_READ = "SELECT content FROM clinic_keys WHERE id = 1"
_WRITE = ("INSERT INTO clinic_keys (id, content, changed_at) VALUES (1, :content, :now) "
          "ON CONFLICT (id) DO UPDATE SET content = excluded.content, changed_at = excluded.changed_at")

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def _engine(url: str) -> Engine:
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            from ptassist.store.database import server_engine
            from ptassist.store.server_check import with_connect_timeout

            try:
                timed = with_connect_timeout(url)
            except ArgumentError:
                timed = url  # not a URL: server_engine says so
            engine = _engines[url] = server_engine(timed)
        return engine


def _problem(exc: DBAPIError, url: str) -> StoreError:
    from ptassist.store.database import safe_location
    from ptassist.store.dialects import for_name
    from ptassist.store.server_check import one_line

    return for_name("postgresql").problem(exc, safe_location(url)) or StoreError(one_line(exc))


def _held(connection: Connection) -> str | bool | None:
    """The stored text, None when the row is missing, False when the table is (before 0010)."""
    if not connection.execute(text(_TABLE)).scalar_one():
        return False
    found = connection.execute(text(_READ)).scalar_one_or_none()
    return None if found is None else str(found)


def read(url: str) -> str | None:
    """The keys' text on the server; None when it holds none yet (the table or its row missing)."""
    try:
        with _engine(url).connect() as connection:
            held = _held(connection)
    except DBAPIError as exc:
        raise _problem(exc, url) from None
    return held if isinstance(held, str) else None


def write(url: str, change: Callable[[str | None], str], *, create: bool = False) -> bool:
    """Replace the keys: ``change`` gets the text the server holds now and returns the new text,
    inside one transaction that holds the keys' lock. False (nothing written) when the records on
    the server have no ``clinic_keys`` table yet (this version has not opened them), or hold no keys
    and ``create`` is not given (``change`` then gets None)."""
    try:
        with _engine(url).begin() as connection:
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": KEYS_LOCK})
            held = _held(connection)
            if held is False or (held is None and not create):
                return False
            connection.execute(text(_WRITE), {"content": change(held if isinstance(held, str) else None),
                                              "now": now_iso()})
    except DBAPIError as exc:
        raise _problem(exc, url) from None
    return True


def dispose() -> None:
    """Close the connections kept for the login (tests, and before a restore swaps the tables)."""
    with _engines_lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
