"""Walk the hash chain and report every record whose content or link does not match.

This module is the list of checks ``verify`` runs; each check lives in a module of its own:
the signed-record chain (here), the audit chain (:mod:`verify_audit`), stored sheets
(:mod:`verify_sheets`), visit status (:mod:`verify_status`), what history shows
(:mod:`verify_history`), demographics (:mod:`verify_demographics`), restore statements
(:mod:`ptassist.store.restore_statements`), and, for the live records, the heads this workstation
and the newest backup last saw (:mod:`ptassist.store.anchor`), unless restore statements explain
why the records fall short of them.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session, col, select

from ptassist.core.ledger import GENESIS, chain_hash
from ptassist.store import anchor
from ptassist.store.accounts import KEY_RECORD_KIND, key_content
from ptassist.store.audit_chain import Run
from ptassist.store.database import Database
from ptassist.store.key_trust import KeyTrust, key_trust
from ptassist.store.models import AddendumRow, ChainHeadRow, KeyEndorsementRow, SigningKeyRow, VisitRow
from ptassist.store.restore_statements import restore_records, statement_problems
from ptassist.store.signature_check import KeyCheck, SignedRecord, signature_problems, signed_records
from ptassist.store.snapshots import backup_policy
from ptassist.store.sql_run import connection_runner
from ptassist.store.verify_audit import audit_problems
from ptassist.store.verify_demographics import demographics_problems
from ptassist.store.verify_history import HistoryCheck
from ptassist.store.verify_report import Problem, VerifyReport
from ptassist.store.verify_sheets import sheet_problems
from ptassist.store.verify_status import status_problems
from ptassist.store.visit_rows import SCORE_COLUMNS
from ptassist.store.visits import addendum_content, content_with_assessment, stored_assessment, visit_content

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
    entries.extend(_addendum_links(addenda))
    entries.extend(_key_links(keys))
    entries.sort(key=lambda e: e[0])
    return entries


def _addendum_links(addenda: Sequence[AddendumRow]) -> list[Link]:
    return [(a.chain_seq, "addendum", a.id, a.content_hash, a.prev_hash,
             chain_hash(a.prev_hash, "addendum", addendum_content(a))) for a in addenda]


def _key_links(keys: Sequence[SigningKeyRow]) -> list[Link]:
    return [(k.chain_seq, KEY_RECORD_KIND, k.id, k.content_hash, k.prev_hash,
             chain_hash(k.prev_hash, KEY_RECORD_KIND, key_content(k))) for k in keys]


def _status_problems(states: Sequence[tuple[int | None, str, int | None]]) -> list[Problem]:
    """(id, status, chain position) of visits: signed ones are linked, drafts are not."""
    problems: list[Problem] = []
    for visit_id, status, seq in states:
        if status == "signed" and seq is None:
            problems.append(Problem("visit", visit_id, "signed but not linked into the chain"))
        elif status != "signed" and seq is not None:
            problems.append(Problem("visit", visit_id, "a draft linked into the chain"))
    return problems


def _link_problems(links: Sequence[Link], head: ChainHeadRow | None) -> tuple[int, list[Problem]]:
    problems: list[Problem] = []
    expected_prev = GENESIS
    expected_seq = 1
    count = 0
    for seq, kind, rid, stored, prev, recomputed in links:
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
    return count, problems


# What the file itself must hold together, after the signed-record chain (what ``history`` shows
# is checked in the same pass as the chain: :class:`ptassist.store.verify_history.HistoryCheck`).
FILE_CHECKS: tuple[Callable[[Run], list[Problem]], ...] = (
    audit_problems, sheet_problems, status_problems, demographics_problems,
)


def chain_problems(
    visits: Sequence[VisitRow], addenda: Sequence[AddendumRow], head: ChainHeadRow | None,
    keys: Sequence[SigningKeyRow] = (), key_check: KeyCheck | None = None, trust: KeyTrust | None = None,
) -> VerifyReport:
    """Recompute every signed visit's, addendum's and key record's hash, check every link, the head
    and every signature.

    Works on rows in memory, so that import can check an export before writing any of it
    (``verify`` streams the visits instead: :func:`verify_chain`).
    """
    problems = _status_problems([(v.id, v.status, v.chain_seq) for v in visits])
    count, link_problems = _link_problems(_links(visits, addenda, keys), head)
    problems += link_problems
    problems.extend(Problem(*found) for found in signature_problems(signed_records(visits, addenda), keys,
                                                                       key_check, trust))
    return VerifyReport(records=count, problems=tuple(problems))


# The visit columns verify reads in its one pass: the signed content, the chain link, the signature
# and what history shows. Raw rows, not ORM objects (a tenth of the cost per visit).
_VISIT_PASS = ("SELECT id, patient_id, clinician_id, visit_time, kind, intake_json, assessment_z, ruleset_version, "
               "narrative_json, measures_json, prescription_json, signed_at, signed_by, background_json, care_json, "
               "demographics_json, content_version, signer_key_id, signature, status, chain_seq, content_hash, "
               f"prev_hash, urgency, working_diagnosis, {', '.join(SCORE_COLUMNS)} FROM visit "
               "WHERE chain_seq IS NOT NULL OR status = 'signed' ORDER BY chain_seq")


@dataclass
class _VisitPass:
    """What one streaming pass over the signed visits gives every check that reads them."""

    states: list[tuple[int | None, str, int | None]]
    links: list[Link]
    signed: list[SignedRecord]
    history: HistoryCheck


def _visit_pass(session: Session) -> _VisitPass:
    """Each signed visit read once: its hash recomputed, its signature noted, its history columns
    checked against the same decompressed content."""
    result = _VisitPass([], [], [], HistoryCheck())
    rows = session.connection().execution_options(stream_results=True, yield_per=1000).execute(text(_VISIT_PASS))
    for row in rows:
        result.states.append((row.id, row.status, row.chain_seq))
        if row.chain_seq is None:
            continue
        try:
            assessment = stored_assessment(row.assessment_z)
        except (zlib.error, UnicodeDecodeError):
            assessment = "\x00unreadable"  # the recomputed hash cannot match: the record is named
        prev = row.prev_hash or ""
        result.links.append((row.chain_seq, "visit", row.id, row.content_hash or "", prev,
                             chain_hash(prev, "visit", content_with_assessment(row, assessment))))
        if row.status != "signed":
            continue
        result.signed.append(SignedRecord("visit", row.id, row.chain_seq, row.content_version, row.signer_key_id,
                                          row.signature, row.content_hash or "", prev, row.signed_by))
        result.history.check(row.id, assessment, row.measures_json, row.urgency, row.working_diagnosis,
                             tuple(getattr(row, column) for column in SCORE_COLUMNS))
    return result


def verify_chain(database: Database, key_check: KeyCheck | None = None) -> VerifyReport:
    """Every check of the file itself (also run on a backup before it is restored): each signed
    visit's, addendum's and key record's hash, link and signature (``key_check`` checks each key
    record's tag: it needs the logged-in user's database key), then :data:`FILE_CHECKS`."""
    with database.session() as session:
        visits = _visit_pass(session)
        addenda = session.exec(select(AddendumRow).order_by(col(AddendumRow.chain_seq))).all()
        head = session.get(ChainHeadRow, 1)
        keys = session.exec(select(SigningKeyRow).order_by(col(SigningKeyRow.chain_seq))).all()
        endorsements = session.exec(select(KeyEndorsementRow).order_by(col(KeyEndorsementRow.id))).all()
        links = sorted([*visits.links, *_addendum_links(addenda), *_key_links(keys)], key=lambda e: e[0])
        count, link_problems = _link_problems(links, head)
        # Reported in the order of the visits' ids, as chain_problems does with rows in id order.
        signed = [*sorted(visits.signed, key=lambda r: r.id or 0), *signed_records((), addenda)]
        trust = key_trust(keys, endorsements)
        problems = [*_status_problems(sorted(visits.states, key=lambda state: state[0] or 0)), *link_problems,
                    *(Problem(*found) for found in signature_problems(signed, keys, key_check, trust)),
                    *statement_problems(session, keys, trust)]
        run = connection_runner(session.connection())
        for check in FILE_CHECKS:
            problems += check(run)
            if check is status_problems:  # history was checked in the pass over the visits
                problems += visits.history.problems
    return VerifyReport(records=count, problems=tuple(problems))


def verify_records(database: Database, key_check: KeyCheck | None = None) -> VerifyReport:
    """What ``ptassist verify`` runs: :func:`verify_chain`, and the records must reach the chain
    heads this workstation and the newest backup last saw (truncation, rewritten end, rollback)."""
    report = verify_chain(database, key_check)
    with database.session() as session:
        connection = session.connection()
        found = anchor.check(connection_runner(connection), backup_policy(database.folder).folder,
                             restore_records(connection))
    problems = tuple(Problem("records", None, text) for text in found.problems)
    return VerifyReport(records=report.records, problems=report.problems + problems)
