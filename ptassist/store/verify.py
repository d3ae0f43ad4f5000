"""Walk the hash chain and report every record whose content or link does not match.

This module is the list of checks ``verify`` runs; each check lives in a module of its own:
the signed-record chain (here), the audit chain (:mod:`verify_audit`), stored sheets
(:mod:`verify_sheets`), visit status (:mod:`verify_status`), what history shows
(:mod:`verify_history`), demographics (:mod:`verify_demographics`), and, for the live records,
the heads this workstation and the newest backup last saw (:mod:`ptassist.store.anchor`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import or_
from sqlmodel import col, select

from ptassist.core.ledger import GENESIS, chain_hash
from ptassist.store import anchor
from ptassist.store.accounts import KEY_RECORD_KIND, key_content
from ptassist.store.audit_chain import Run
from ptassist.store.database import Database
from ptassist.store.models import AddendumRow, ChainHeadRow, SigningKeyRow, VisitRow
from ptassist.store.signature_check import KeyCheck, signature_problems
from ptassist.store.snapshots import backup_policy
from ptassist.store.sql_run import connection_runner
from ptassist.store.verify_audit import audit_problems
from ptassist.store.verify_demographics import demographics_problems
from ptassist.store.verify_history import history_problems
from ptassist.store.verify_report import Problem, VerifyReport
from ptassist.store.verify_sheets import sheet_problems
from ptassist.store.verify_status import status_problems
from ptassist.store.visits import addendum_content, visit_content

__all__ = ["Problem", "VerifyReport", "chain_problems", "verify_chain", "verify_records"]

MISSING = "a record is missing"
CHANGED_OR_REMOVED = "a record was changed or removed"
REMOVED = "records were removed"


Link = tuple[int, str, int | None, str, str, str]


def _links(visits: Sequence[VisitRow], addenda: Sequence[AddendumRow], keys: Sequence[SigningKeyRow]) -> list[Link]:
    """(seq, kind, id, stored hash, stored prev, recomputed hash) in chain order."""
    entries: list[Link] = []
    for v in visits:
        if v.chain_seq is None:
            continue
        entries.append(
            (v.chain_seq, "visit", v.id, v.content_hash or "", v.prev_hash or "",
             chain_hash(v.prev_hash or "", "visit", visit_content(v)))
        )
    for a in addenda:
        entries.append(
            (a.chain_seq, "addendum", a.id, a.content_hash, a.prev_hash,
             chain_hash(a.prev_hash, "addendum", addendum_content(a)))
        )
    for k in keys:
        entries.append((k.chain_seq, KEY_RECORD_KIND, k.id, k.content_hash, k.prev_hash,
                        chain_hash(k.prev_hash, KEY_RECORD_KIND, key_content(k))))
    entries.sort(key=lambda e: e[0])
    return entries


def chain_problems(
    visits: Sequence[VisitRow], addenda: Sequence[AddendumRow], head: ChainHeadRow | None,
    keys: Sequence[SigningKeyRow] = (), key_check: KeyCheck | None = None,
) -> VerifyReport:
    """Recompute every signed visit's, addendum's and key record's hash, check every link, the head
    and every signature.

    Works on rows in memory, so that import can check an export before writing any of it.
    """
    problems: list[Problem] = []
    expected_prev = GENESIS
    expected_seq = 1
    count = 0
    for visit in visits:
        if visit.status == "signed" and visit.chain_seq is None:
            problems.append(Problem("visit", visit.id, "signed but not linked into the chain"))
        elif visit.status != "signed" and visit.chain_seq is not None:
            problems.append(Problem("visit", visit.id, "a draft linked into the chain"))
    for seq, kind, rid, stored, prev, recomputed in _links(visits, addenda, keys):
        count += 1
        if seq != expected_seq:
            problems.append(Problem(kind, rid, f"chain position {seq} where {expected_seq} was expected: {MISSING}"))
            expected_seq = seq
        if prev != expected_prev:
            problems.append(Problem(kind, rid, "link to the previous record does not match: " + CHANGED_OR_REMOVED))
        if recomputed != stored:
            problems.append(Problem(kind, rid, "content does not match its hash: the record was changed after signing"))
        expected_prev = stored
        expected_seq += 1
    if head is None:
        problems.append(Problem("chain_head", None, "the chain head is missing"))
    elif head.seq != count or head.hash != expected_prev:
        problems.append(Problem("chain_head", None, "the newest record does not match the chain head: " + REMOVED))
    problems.extend(Problem(*found) for found in signature_problems(visits, addenda, keys, key_check))
    return VerifyReport(records=count, problems=tuple(problems))


# What the file itself must hold together, after the signed-record chain.
FILE_CHECKS: tuple[Callable[[Run], list[Problem]], ...] = (
    audit_problems, sheet_problems, status_problems, history_problems, demographics_problems,
)


def verify_chain(database: Database, key_check: KeyCheck | None = None) -> VerifyReport:
    """Every check of the file itself (also run on a backup before it is restored): each signed
    visit's, addendum's and key record's hash, link and signature (``key_check`` checks each key
    record's tag: it needs the logged-in user's database key), then :data:`FILE_CHECKS`."""
    with database.session() as session:
        visits = session.exec(
            select(VisitRow).where(or_(col(VisitRow.chain_seq).is_not(None), col(VisitRow.status) == "signed"))
            .order_by(col(VisitRow.id))  # findings in the same order on every back end
        ).all()
        addenda = session.exec(select(AddendumRow).order_by(col(AddendumRow.chain_seq))).all()
        head = session.get(ChainHeadRow, 1)
        keys = session.exec(select(SigningKeyRow).order_by(col(SigningKeyRow.chain_seq))).all()
        report = chain_problems(visits, addenda, head, keys, key_check)
        run = connection_runner(session.connection())
        problems = [problem for check in FILE_CHECKS for problem in check(run)]
    return VerifyReport(records=report.records, problems=report.problems + tuple(problems))


def verify_records(database: Database, key_check: KeyCheck | None = None) -> VerifyReport:
    """What ``ptassist verify`` runs: :func:`verify_chain`, and the records must reach the chain
    heads this workstation and the newest backup last saw (truncation, rewritten end, rollback)."""
    report = verify_chain(database, key_check)
    with database.session() as session:
        _, differences = anchor.check(connection_runner(session.connection()), backup_policy(database.folder).folder)
    problems = tuple(Problem("records", None, text) for text in differences)
    return VerifyReport(records=report.records, problems=report.problems + problems)
