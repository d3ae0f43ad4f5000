"""Restore statements: a server's restore, signed by the administrator who ran it, so the other
workstations tell a restore on purpose from a rollback (docs/postgresql.md, "Restore").

Every workstation keeps the chain heads it last saw (:mod:`ptassist.store.anchor`); after a restore
the records end before them. The restoring workstation writes a statement in the swap's own
transaction (:func:`write_statement`): the heads just before and just after the swap, the backup's
file name, the restoring account and its key record, signed with that administrator's Ed25519 key
over :func:`ptassist.security.restore_signature.statement_message`. Another workstation whose
records fall short accepts the shortfall when statements it has not seen yet lead from its heads to
links the records hold, each signed by a key the records vouch for as an administrator's
(:func:`restore_records`, followed by :func:`ptassist.store.anchor.explained_by_restores`); it then
shows a notice once instead of the warning. ``verify`` checks every statement (:func:`statement_problems`).

The table is append-only (its migration's triggers) and the swap never empties it: the live
statements stay, and those in the backup that the live table lacks are added (matched by their
signature). The live table is the longer history (it holds every restore of this server); the
backup's can add statements only when it comes from another server, such as a rebuilt one, whose
earlier restores are then still on record. A statement whose restored heads the records no longer
hold (they were restored to before it since) is checked for its signature only: its signing key
may be in none of the records now. An export (``ptassist export``, and a server backup written
where ``pg_dump`` is missing) leaves the statements out: they are about this server's restores,
and the live ones stay across a restore from an export as from an archive.

Without a signing key (a read-only tool, an administrator without one), or with a key the restored
records do not vouch for as an administrator's, no statement is written and the caller is told so:
the other workstations then warn as before. On one workstation's SQLite file nothing is written
(no other workstation keeps heads of it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection
from sqlmodel import Session, col, select

from ptassist.security.encoding import b64, unb64
from ptassist.security.errors import StoredSecretError
from ptassist.security.restore_signature import RestoreContent, sign_statement, statement_holds
from ptassist.security.signing import SigningKey
from ptassist.store import anchor
from ptassist.store.clock import now_iso
from ptassist.store.key_trust import KeyTrust, load_trust
from ptassist.store.models import EvidenceHeadRow, RestoreStatementRow, SigningKeyRow
from ptassist.store.sql_run import connection_runner
from ptassist.store.verify_report import Problem

TABLE = "restore_statement"
COLUMNS = ("made_at", "database_id", "actor", "key_id", "public_key", "before_seq", "before_hash",
           "before_audit_seq", "before_audit_hash", "after_seq", "after_hash", "after_audit_seq",
           "after_audit_hash", "backup_name", "signature")
FORGED = "it was forged or changed outside ptassist"
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True, repr=False)
class Restorer:
    """Who restores: the logged-in administrator's account name and private signing key (None: a
    tool without one, which writes no statement). Its ``repr`` names the account only."""

    actor: str
    key: SigningKey | None

    def __repr__(self) -> str:
        return f"Restorer({self.actor!r})"


@dataclass(frozen=True)
class Restored:
    """What a restore leaves: the backup of the records as they were (``safety``) and, on a server,
    whether a restore statement was signed and one sentence saying so (``statement``)."""

    safety: Path
    signed: bool = False
    statement: str = ""


def _content(row: RestoreStatementRow) -> RestoreContent:
    return RestoreContent(row.database_id, row.made_at, row.actor, row.key_id, row.public_key, row.before_seq,
                          row.before_hash, row.before_audit_seq, row.before_audit_hash, row.after_seq, row.after_hash,
                          row.after_audit_seq, row.after_audit_hash, row.backup_name)


def _keys(session: Session) -> dict[int, SigningKeyRow]:
    return {k.id: k for k in session.exec(select(SigningKeyRow)).all() if k.id is not None}


# ---------------------------------------------------------------------------------------- writing
def write_statement(connection: Connection, restorer: Restorer | None, before: anchor.Head, after: anchor.Head,
                    backup_name: str) -> tuple[bool, str]:
    """Sign and store the statement of a restore that has just swapped the records (inside the
    swap's transaction, on ``connection``); returns whether it did and one sentence saying so."""
    unsigned = "the other workstations will warn that the records fall short of what they last saw"
    if restorer is None or restorer.key is None:
        who = restorer.actor if restorer is not None else "this tool"
        return False, f"no restore statement was written ({who} has no signing key): {unsigned}"
    public_key = b64(restorer.key.public_key())
    with Session(bind=connection) as session:
        trust = load_trust(session)
        key = session.exec(select(SigningKeyRow).where(SigningKeyRow.public_key == public_key)).first()
    if key is None or key.id is None or not trust.may_endorse(key.id):
        return False, (f"no restore statement was written ({restorer.actor}'s signing key is not vouched for as an "
                       f"administrator's in the restored records): {unsigned}")
    content = RestoreContent(after.database_id, now_iso(), key.account_name, key.id, public_key, before.seq,
                             before.hash, before.audit_seq, before.audit_hash, after.seq, after.hash, after.audit_seq,
                             after.audit_hash, backup_name)
    values = {**{name: getattr(content, name) for name in COLUMNS[:-1]},
              "signature": b64(sign_statement(restorer.key, content))}
    connection_runner(connection)(f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) "
                                  f"VALUES ({', '.join(':' + name for name in COLUMNS)})", values)
    return True, (f"a restore statement signed by {key.account_name} tells the other workstations that these "
                  "records were restored on purpose")


# --------------------------------------------------------------------------------------- checking
def _signature_holds(row: RestoreStatementRow) -> bool:
    try:
        public_key, signature = unb64(row.public_key), unb64(row.signature)
    except StoredSecretError:
        return False
    return statement_holds(public_key, _content(row), signature)


def _signer_problem(row: RestoreStatementRow, keys: dict[int, SigningKeyRow], trust: KeyTrust) -> str:
    """Why the records do not vouch for the statement's signer ("" if they do)."""
    key = keys.get(row.key_id)
    if key is None or key.public_key != row.public_key:
        return f"it names key record {row.key_id}, which does not hold the key that signed it: {FORGED}"
    if key.account_name != row.actor:
        return f"it names another restorer than the account of key record {key.id}: {FORGED}"
    if key.chain_seq > row.after_seq:
        return f"key record {key.id} was recorded after the entries it says were restored: {FORGED}"
    if not trust.may_endorse(key.id):
        return f"key record {key.id}, which signed it, is not vouched for as an administrator's: {FORGED}"
    return ""


def _problem(row: RestoreStatementRow, keys: dict[int, SigningKeyRow], trust: KeyTrust, database_id: str) -> str:
    """Why ``row`` cannot explain a restore of these records ("" if it can)."""
    if not _signature_holds(row):
        return f"its signature does not match what it says: {FORGED}"
    if row.database_id != database_id:
        return "it was made for other records (another database identity)"
    return _signer_problem(row, keys, trust)


def _before(row: RestoreStatementRow) -> anchor.Head:
    return anchor.Head(row.database_id, row.before_seq, row.before_hash, row.before_audit_seq, row.before_audit_hash)


def _after(row: RestoreStatementRow) -> anchor.Head:
    return anchor.Head(row.database_id, row.after_seq, row.after_hash, row.after_audit_seq, row.after_audit_hash)


def _shown(text: str, limit: int = 80) -> str:
    return _UNPRINTABLE.sub("?", text)[:limit]


def _when(made_at: str) -> str:
    try:
        return datetime.fromisoformat(made_at).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return "an unreadable time"


def label(row: RestoreStatementRow) -> str:
    """"the restore statement of 2026-12-03 10:42 UTC by Alex Carter"."""
    return f"the restore statement of {_when(row.made_at)} by {_shown(row.actor)}"


def notice(row: RestoreStatementRow) -> str:
    """What a workstation is told, once, of a restore its records were not part of."""
    set_aside = row.before_seq - row.after_seq
    if set_aside > 0:
        lost = (f"{set_aside} signed {'entry' if set_aside == 1 else 'entries'} made after it "
                f"{'was' if set_aside == 1 else 'were'} set aside in the pre-restore backup")
    else:
        lost = "no signed entry was set aside"
    return (f"the records were restored from a backup on {_when(row.made_at)} by {_shown(row.actor)} "
            f"({_shown(row.backup_name, 120)}); {lost}")


def _statements(session: Session) -> Sequence[RestoreStatementRow]:
    return session.exec(select(RestoreStatementRow).order_by(col(RestoreStatementRow.id))).all()


def restore_records(connection: Connection) -> anchor.Statements:
    """The records' restore statements as :mod:`ptassist.store.anchor` follows them, read (with the
    key trust they need) only when called."""

    def load() -> list[anchor.RestoreRecord]:
        with Session(bind=connection) as session:
            rows = _statements(session)
            if not rows:
                return []
            identity = session.get(EvidenceHeadRow, 1)
            database_id = identity.database_id if identity is not None else ""
            keys, trust = _keys(session), load_trust(session)
            return [anchor.RestoreRecord(anchor.statement_digest(row.signature), _before(row), _after(row), label(row),
                                         notice(row), _problem(row, keys, trust, database_id)) for row in rows]

    return load


def statement_problems(session: Session, keys: Sequence[SigningKeyRow], trust: KeyTrust) -> list[Problem]:
    """``verify``'s check of every restore statement: it is there once, its signature holds, and,
    when the records still hold the links it says were restored, they vouch for its signer as an
    administrator."""
    by_id = {k.id: k for k in keys if k.id is not None}
    identity = session.get(EvidenceHeadRow, 1)
    run = connection_runner(session.connection())
    problems: list[Problem] = []
    first_of: dict[str, int | None] = {}
    for row in _statements(session):
        if row.signature in first_of:  # a restore adds a statement once; the swap keeps one of each
            problems.append(Problem(TABLE, row.id, f"it repeats restore statement {first_of[row.signature]}: it was "
                                                   "added outside ptassist"))
            continue
        first_of[row.signature] = row.id
        if not _signature_holds(row):
            problems.append(Problem(TABLE, row.id, f"its signature does not match what it says: {FORGED}"))
        elif identity is not None and row.database_id == identity.database_id and anchor.holds(run, _after(row)):
            problem = _signer_problem(row, by_id, trust)
            if problem:
                problems.append(Problem(TABLE, row.id, problem))
    return problems
