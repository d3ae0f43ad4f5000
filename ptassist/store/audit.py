"""The audit trail: who did what to which record. Ids and actions only, never names or notes."""

from __future__ import annotations

import logging

from sqlmodel import Session, col, select

from ptassist.core.records import AuditEvent
from ptassist.store.clock import now_iso
from ptassist.store.database import Database
from ptassist.store.models import AuditEventRow

log = logging.getLogger(__name__)
ACTIONS = ("create", "view", "edit", "sign", "addendum", "print", "export", "backup", "restore",
           "login", "login_failed", "logout", "lock", "unlock", "account")


def record(session: Session, actor: str, action: str, record_type: str, record_id: int | None) -> None:
    """Add an audit event to the session's transaction."""
    assert action in ACTIONS, action
    session.add(AuditEventRow(at=now_iso(), actor=actor or "unknown", action=action, record_type=record_type,
                              record_id=record_id))


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
