"""The audit trail: who did what to which record. Ids and actions only, never names or notes.

Every event is a link of the audit chain (:mod:`ptassist.store.audit_chain`); a transaction that
records one also moves this workstation's anchor once it commits (:mod:`ptassist.store.anchor`).
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import event
from sqlmodel import Session, col, select

from ptassist.core.records import AuditEvent
from ptassist.store import anchor, change_feed
from ptassist.store.audit_chain import append_event
from ptassist.store.clock import now_iso
from ptassist.store.database import Database
from ptassist.store.models import AuditEventRow
from ptassist.store.sql_run import connection_runner

log = logging.getLogger(__name__)
ACTIONS = ("create", "view", "edit", "sign", "addendum", "print", "export", "backup", "restore", "baseline",
           "login", "login_failed", "logout", "lock", "unlock", "account",
           "take_over")
_ANCHOR_HOOK = "ptassist_anchor_hook"


def record(session: Session, actor: str, action: str, record_type: str, record_id: int | None,
           digest: str = "") -> int:
    """Add an audit event, linked into the audit chain, to the session's transaction; returns its id.

    ``digest``: the SHA-256 of what the event is about, when the chain must vouch for it (a
    printed sheet's bytes, a demographics revision)."""
    assert action in ACTIONS, action
    session.flush()  # the rows this event is about are written first
    event_id = append_event(connection_runner(session.connection()), at=now_iso(), actor=actor, action=action,
                            record_type=record_type, record_id=record_id, digest=digest)
    anchor_after_commit(session)
    return event_id


def anchor_after_commit(session: Session) -> None:
    """Once this session's transaction commits, keep its chain heads in the workstation's anchor;
    the other workstations are told of the new audit events (in the same transaction)."""
    if session.info.get(_ANCHOR_HOOK):
        return
    session.info[_ANCHOR_HOOK] = True
    pending: dict[str, Any] = {}

    def before_commit(current: Session) -> None:
        current.flush()
        pending["head"] = anchor.advance(connection_runner(current.connection()))
        change_feed.announce(current.connection(), change_feed.AUDITED)

    def after_commit(_current: Session) -> None:
        head = pending.pop("head", None)
        if head is not None:
            anchor.save(head)

    def after_rollback(_current: Session) -> None:
        pending.clear()

    event.listen(session, "before_commit", before_commit)
    event.listen(session, "after_commit", after_commit)
    event.listen(session, "after_rollback", after_rollback)


class AuditRepository:
    """Reads and writes audit events."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def log(self, actor: str, action: str, record_type: str, record_id: int | None) -> None:
        """Record an event on its own. Records open read-only cannot keep one: reading them (views,
        reprints of stored sheets, export) is not refused for that, and the log file says so."""
        if self.database.read_only:
            log.info("audit event not recorded (%s %s): the records are read-only", action, record_type)
            return
        with self.database.transaction() as session:
            record(session, actor, action, record_type, record_id)

    def events(self, record_type: str | None = None, record_id: int | None = None) -> list[AuditEvent]:
        with self.database.session() as session:
            query = select(AuditEventRow).order_by(col(AuditEventRow.id))
            if record_type is not None:
                query = query.where(AuditEventRow.record_type == record_type)
            if record_id is not None:
                query = query.where(AuditEventRow.record_id == record_id)
            return [
                AuditEvent(id=r.id or 0, at=r.at, actor=r.actor, action=r.action, record_type=r.record_type,
                           record_id=r.record_id)
                for r in session.exec(query)
            ]
