"""Tamper-evidence figures: what ``verify`` costs on a demo clinic, and what an audited write costs
now that every audit event is chained and the workstation's anchor follows every commit.

- ``tamper.verify``: ``verify_records`` (chain, audit chain, sheets, status, history,
  demographics, anchor) beside the floor of the signed-record chain check alone (what verify did
  before), on the same database in the same run.
- ``tamper.audited_write``: one audit event on its own (``records.audit.log``: chain link, head,
  anchor file replaced) beside the same event written unchained in the same kind of transaction
  (what it cost before). The benchmark's database is thrown away afterwards (it holds the
  unchained rows).
"""

from __future__ import annotations

import tempfile
from functools import partial
from pathlib import Path

from harness import Figure, figure, median_seconds

SIGNED_COLUMNS = ("id, patient_id, clinician_id, visit_time, kind, intake_json, assessment_z, ruleset_version, "
                  "narrative_json, measures_json, prescription_json, signed_at, signed_by, content_hash, prev_hash, "
                  "urgency, working_diagnosis")


def run(quick: bool) -> list[Figure]:
    from ptassist.services.records import Records
    from ptassist.store.demo import build_demo
    from ptassist.store.verify import chain_problems, verify_records

    patients = 300 if quick else 2_000
    repeats = 3 if quick else 7
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        records = Records.open(folder)
        try:
            build_demo(records.database, patients, seed=7)
            report = verify_records(records.database)
            assert report.ok, report.problems[:3]

            def chain_only() -> None:
                from sqlalchemy import or_
                from sqlmodel import col, select

                from ptassist.store.models import AddendumRow, ChainHeadRow, VisitRow

                with records.database.session() as session:
                    visits = session.exec(select(VisitRow).where(
                        or_(col(VisitRow.chain_seq).is_not(None), col(VisitRow.status) == "signed"))).all()
                    addenda = session.exec(select(AddendumRow)).all()
                    chain_problems(visits, addenda, session.get(ChainHeadRow, 1))

            def raw_sha256() -> None:  # the bytes verify hashes, read and hashed with nothing else
                import hashlib
                import sqlite3

                assert records.database.path is not None
                connection = sqlite3.connect(records.database.path)
                digest = hashlib.sha256()
                try:
                    for row in connection.execute(f"SELECT {SIGNED_COLUMNS} FROM visit WHERE chain_seq IS NOT NULL"):
                        for value in row:
                            digest.update(value if isinstance(value, bytes) else str(value).encode("utf-8"))
                finally:
                    connection.close()

            full = median_seconds(partial(verify_records, records.database), repeats, warmup=1)
            floor = median_seconds(chain_only, repeats, warmup=1)
            sha_floor = median_seconds(raw_sha256, repeats, warmup=1)
            audited = median_seconds(partial(records.audit.log, "bench", "view", "patient", 1), repeats * 5, warmup=2)
            from ptassist.store.models import AuditEventRow

            def unchained() -> None:  # the same event as before issue 12: one row, no link, no anchor
                with records.database.transaction() as session:
                    session.add(AuditEventRow(at="2026-12-02T00:00:00+00:00", actor="bench", action="view",
                                              record_type="patient", record_id=1))

            plain = median_seconds(unchained, repeats * 5, warmup=2)
        finally:
            records.close()
    visits = report.records
    return [
        figure(f"tamper.verify ({patients:,} patients, {visits:,} signed records)", full, "s", 10, floor=floor,
               floor_note="the signed-record chain check alone, ORM rows (verify before issue 12)", max_ratio=6,
               note="chain, audit chain, sheets, status, history, demographics, key trust, anchor"),
        figure(f"tamper.verify_vs_sha256 ({patients:,} patients)", full, "s", 10, floor=sha_floor,
               floor_note="raw SHA-256 over the same signed columns (standard-library sqlite3 + hashlib)",
               max_ratio=40, note="one streaming pass: decompress, canonical JSON, hash, history columns"),
        figure("tamper.audited_write", audited * 1000, "ms", 30, floor=plain * 1000,
               floor_note="the same event unchained (one ORM INSERT + COMMIT, synchronous=FULL, same file)",
               max_ratio=3, note="audit event linked, head moved, anchor file replaced"),
    ]
