"""What other workstations changed, without reading the whole table: a cheap "anything new?"
signal per back end, then only the audit events after the last one seen.

SQLite: ``PRAGMA data_version`` on one connection the feed keeps (it changes only when another
connection committed; a few microseconds to ask). PostgreSQL: LISTEN on a connection of its own;
the writers NOTIFY in the same transaction as the change (:func:`announce`), so a notification
never arrives for something that was rolled back. The SQL of each is the dialect module's
(``notify_sql``, ``listen_sql``).

Either way the feed then reads the audit events since the last it saw (an index range on the
primary key) and says what they were: a visit signed, a patient added or changed. Changes the
audit trail does not hold (a draft saved, a lease taken or given back) come as one ``"records"``
change, enough for a screen to re-check what it shows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from ptassist.store.database import Database
from ptassist.store.dialects import for_name

log = logging.getLogger(__name__)

AUDITED = "audit"  # the payload of a change that is an audit event (read from the trail, with its kind)
MAX_EVENTS = 500  # a burst larger than this (a demo build) is one "records" change, not a flood

# (action, record type) of an audit event -> the change a screen cares about
KINDS = {
    ("sign", "visit"): "visit_signed",
    ("addendum", "visit"): "visit_signed",
    ("create", "visit"): "draft_added",
    ("edit", "visit"): "draft_changed",
    ("create", "patient"): "patient_added",
    ("edit", "patient"): "patient_changed",
    ("take_over", "visit"): "lease_changed",
    ("restore", "database"): "records",
}


@dataclass(frozen=True)
class Change:
    """One thing another connection changed: ``kind`` (see :data:`KINDS`, or "records" when the
    feed cannot tell) and the record's id when known."""

    kind: str
    record_id: int | None = None


def announce(connection: Connection, kind: str, record_id: int | None = None) -> None:
    """Tell the other workstations, in the caller's transaction (PostgreSQL NOTIFY; SQLite needs
    nothing: ``data_version`` moves with every commit)."""
    sql = for_name(connection.dialect.name).notify_sql
    if sql is not None:
        connection.execute(text(sql), {"payload": f"{kind}:{record_id if record_id is not None else ''}"})


class ChangeFeed:
    """Polled by a timer (a few times a second at most): the changes committed elsewhere since the last poll."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._connection: Any = None
        self._last_event = self._newest_event()

    def _newest_event(self) -> int:
        with self.database.engine.connect() as connection:
            value = connection.execute(text("SELECT COALESCE(MAX(id), 0) FROM audit_event")).scalar()
            connection.rollback()
        return int(value or 0)

    def signalled(self) -> list[str]:
        """Whether anything was committed elsewhere since the last call (the back end's cheap signal):
        the payloads that came with it, [] for none; a feed without payloads returns [""]."""
        raise NotImplementedError

    def poll(self) -> list[Change]:
        """The changes since the last poll ([] when nothing was committed elsewhere)."""
        payloads = self.signalled()
        if not payloads:
            return []
        changes = self._audited()
        for payload in payloads:
            kind, _, ident = payload.partition(":")
            if kind and kind != AUDITED:  # audited changes are read from the audit trail above
                changes.append(Change(kind, int(ident) if ident.isdigit() else None))
        return changes or [Change("records")]

    def _audited(self) -> list[Change]:
        with self.database.engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT id, action, record_type, record_id FROM audit_event WHERE id > :last ORDER BY id LIMIT :n"),
                {"last": self._last_event, "n": MAX_EVENTS + 1}).all()
            connection.rollback()
        if not rows:
            newest = self._newest_event()
            if newest < self._last_event:  # the records were restored from a backup: a shorter trail
                self._last_event = newest
                return [Change("records")]
            return []
        self._last_event = int(rows[-1][0])
        if len(rows) > MAX_EVENTS:
            self._last_event = self._newest_event()
            return [Change("records")]
        changes: list[Change] = []
        for _id, action, record_type, record_id in rows:
            kind = KINDS.get((str(action), str(record_type)))
            change = Change(kind, int(record_id) if record_id is not None else None) if kind else None
            if change is not None and change not in changes:
                changes.append(change)
        return changes

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class DataVersionFeed(ChangeFeed):
    """SQLite: ``PRAGMA data_version`` on a connection of the feed's own (outside any transaction)."""

    def __init__(self, database: Database) -> None:
        super().__init__(database)
        self._connection = database.engine.raw_connection()  # our connect hook set autocommit on it
        self._version = self._data_version()

    def _data_version(self) -> int:
        cursor = self._connection.cursor()
        try:
            return int(cursor.execute("PRAGMA data_version").fetchone()[0])
        finally:
            cursor.close()

    def signalled(self) -> list[str]:
        version = self._data_version()
        if version == self._version:
            return []
        self._version = version
        return [""]


def open_change_feed(database: Database) -> ChangeFeed:
    """The feed of the records' back end."""
    listen_sql = database.dialect.listen_sql
    if listen_sql is None:
        return DataVersionFeed(database)
    from ptassist.store.listen_feed import ListenFeed

    return ListenFeed(database, listen_sql)
