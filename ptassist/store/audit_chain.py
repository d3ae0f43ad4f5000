"""The audit trail as a hash chain: every event links to the one before it.

Each event's hash covers the previous event's hash and the event's own fields (id, time, actor,
action, record, and ``digest``: the SHA-256 of what the event is about when that matters: a
printed sheet's bytes, a patient's demographics revision). The newest link is kept in the
``evidence_head`` row, beside the database's identity, and outside the database by
:mod:`ptassist.store.anchor`.

Standard library only, so the sqlite3 sheet store (printing without the ORM), the migration and
the ORM store append events with the same code. ``Run`` executes one statement with named
parameters and returns its rows (none for a write); ``RunMany`` one write for each set of
parameters (on a server, in few round trips: a demo build baselines a million visits).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ptassist.core.ledger import GENESIS, chain_hash

Run = Callable[[str, dict[str, Any]], Sequence[Sequence[Any]]]
RunMany = Callable[[str, Sequence[dict[str, Any]]], None]
AUDIT_FIELDS = ("id", "at", "actor", "action", "record_type", "record_id", "digest")
KIND = "audit"


def audit_content(values: Sequence[Any]) -> dict[str, Any]:
    """The fields an event's hash covers, from values in :data:`AUDIT_FIELDS` order."""
    return dict(zip(AUDIT_FIELDS, values, strict=True))


def audit_hash(prev_hash: str, values: Sequence[Any]) -> str:
    return chain_hash(prev_hash, KIND, audit_content(values))


def one_by_one(run: Run) -> RunMany:
    """A ``RunMany`` that runs each statement through ``run``."""

    def many(sql: str, rows: Sequence[dict[str, Any]]) -> None:
        for row in rows:
            run(sql, row)

    return many


def audit_head(run: Run) -> tuple[int, str]:
    """(id, hash) of the newest event the chain knows of (0 and the genesis hash before any)."""
    rows = run("SELECT audit_seq, audit_hash FROM evidence_head WHERE id = 1", {})
    return (int(rows[0][0]), str(rows[0][1])) if rows else (0, GENESIS)


def append_event(run: Run, *, at: str, actor: str, action: str, record_type: str, record_id: int | None,
                 digest: str = "") -> int:
    """Insert one event linked to the newest and move the head; returns its id.

    Call inside the write transaction that holds the write lock, so two writers cannot both link
    to the same event."""
    return append_events(run, [(at, actor, action, record_type, record_id, digest)])[0]


def append_events(run: Run, events: Sequence[tuple[str, str, str, str, int | None, str]],
                  many: RunMany | None = None) -> list[int]:
    """Insert events given as (at, actor, action, record_type, record_id, digest), linked in order."""
    _, prev = audit_head(run)
    rows = run("SELECT COALESCE(MAX(id), 0) FROM audit_event", {})
    event_id = int(rows[0][0])
    ids: list[int] = []
    inserts: list[dict[str, Any]] = []
    for at, actor, action, record_type, record_id, digest in events:
        event_id += 1
        values = (event_id, at, actor or "unknown", action, record_type, record_id, digest)
        link = audit_hash(prev, values)
        inserts.append({**audit_content(values), "prev_hash": prev, "hash": link})
        ids.append(event_id)
        prev = link
    (many or one_by_one(run))(
        "INSERT INTO audit_event (id, at, actor, action, record_type, record_id, digest, prev_hash, hash) "
        "VALUES (:id, :at, :actor, :action, :record_type, :record_id, :digest, :prev_hash, :hash)", inserts)
    if ids:
        run("UPDATE evidence_head SET audit_seq = :seq, audit_hash = :hash WHERE id = 1",
            {"seq": event_id, "hash": prev})
    return ids


def baseline_signings(run: Run, *, at: str, actor: str = "ptassist", many: RunMany | None = None) -> int:
    """A ``baseline`` event for every signed visit whose signing the trail does not hold (records
    from before migration 0006 built without one, a demo build): from now on it cannot silently
    become a draft. Returns how many."""
    rows = run("SELECT id FROM visit WHERE status = 'signed' AND id NOT IN (SELECT record_id FROM audit_event "
               "WHERE record_type = 'visit' AND action IN ('sign', 'baseline') AND record_id IS NOT NULL) "
               "ORDER BY id", {})
    return len(append_events(run, [(at, actor, "baseline", "visit", int(r[0]), "") for r in rows], many))


def chain_existing_events(run: Run) -> int:
    """Link events that have no hash yet (written before migration 0006, or imported) in id order.

    Honest about what it can prove: the hashes cover the events as they are at this moment; a
    change made before now cannot be seen. Print events of a stored sheet get that sheet's
    current SHA-256 as their digest. Returns the number of events linked."""
    run("UPDATE audit_event SET digest = COALESCE((SELECT sha256 FROM document WHERE document.id = "
        "audit_event.record_id), '') WHERE hash = '' AND record_type = 'document' AND action = 'print'", {})
    seq, prev = audit_head(run)
    rows = run(f"SELECT {', '.join(AUDIT_FIELDS)} FROM audit_event WHERE id > :seq ORDER BY id", {"seq": seq})
    for values in rows:
        digest = audit_hash(prev, values)
        run("UPDATE audit_event SET prev_hash = :prev, hash = :hash WHERE id = :id",
            {"prev": prev, "hash": digest, "id": values[0]})
        seq, prev = int(values[0]), digest
    run("UPDATE evidence_head SET audit_seq = :seq, audit_hash = :hash WHERE id = 1", {"seq": seq, "hash": prev})
    return len(rows)


def link_rows(events: list[dict[str, Any]], sheet_digests: dict[int, str]) -> None:
    """Give exported events without links (an export from before migration 0006) their digest and
    links, in id order, before they are written; as :func:`chain_existing_events` does in place."""
    if all(event.get("hash") for event in events):
        return
    prev = GENESIS
    for event in sorted(events, key=lambda e: int(e["id"])):
        if event["record_type"] == "document" and event["action"] == "print" and not event.get("digest"):
            event["digest"] = sheet_digests.get(int(event["record_id"] or 0), "")
        values = [event.get(name) or ("" if name == "digest" else None) for name in AUDIT_FIELDS]
        values[AUDIT_FIELDS.index("digest")] = event.get("digest") or ""
        event["prev_hash"], event["hash"] = prev, audit_hash(prev, values)
        prev = event["hash"]


def dbapi_runner(connection: Any) -> Run:
    """A ``Run`` over a DB-API connection with named parameters (``sqlite3``, ``sqlcipher3``)."""

    def run(sql: str, params: dict[str, Any]) -> Sequence[Sequence[Any]]:
        cursor = connection.execute(sql, params)
        return cursor.fetchall() if cursor.description else []

    return run
