"""Every tamper of issue 12 point 4, done with raw SQL and every trigger dropped, fails verify
with a message naming the record (the signed-record chain, the audit chain, stored sheets, visit
status, history, demographics, and the chain heads this workstation last saw).

On both back ends: anyone with the SQLite file, or the PostgreSQL server's superuser, can drop the
triggers. The tests about the file itself (an older copy, backups) are SQLite's only."""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
import sys

import pytest
from sqlmodel import col, select

from ptassist import paths
from ptassist.core.ledger import GENESIS, chain_hash
from ptassist.services.printing import Printing
from ptassist.services.records import Records
from ptassist.store import anchor, backup
from ptassist.store.accounts import KEY_RECORD_KIND, key_content
from ptassist.store.audit_chain import AUDIT_FIELDS, audit_hash
from ptassist.store.errors import StoreError
from ptassist.store.models import AddendumRow, ChainHeadRow, SigningKeyRow, VisitRow
from ptassist.store.verify import verify_chain, verify_records
from ptassist.store.visits import addendum_content, visit_content
from tests.backends import RawConnection
from tests.helpers import TEST_PASSWORD
from tests.store.conftest import INTAKE

PDF = b"%PDF-1.4 synthetic sheet \x00\xff"


@pytest.fixture
def signed(records, patient):
    """Three signed visits (the last with an NPRS score), an addendum on the second, a stored sheet."""
    ids = []
    for n in range(3):
        visit = records.new_visit(patient.id, "follow_up", intake=INTAKE, visit_time=f"2026-0{n + 1}-01T09:00:00+00:00")
        if n == 2:
            visit = records.save_draft(visit, measures={"NPRS": {"value": 6}})
        records.sign(visit.id, TEST_PASSWORD)
        ids.append(visit.id)
    records.add_addendum(ids[1], "Correction", TEST_PASSWORD)
    records.documents.store(ids[0], "hep", PDF, "Alex Carter")
    assert verify_records(records.database).ok
    return ids


def raw(database, *statements, params=()):
    """Change the records as anyone with the file (or the server's superuser) can: every lock dropped first."""
    connection = RawConnection(database)
    connection.drop_locks()
    for statement in statements:
        connection.execute(statement, params if "?" in statement else ())
    connection.commit()
    connection.close()


def query(database, sql):
    connection = RawConnection(database)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def rehash_signed_chain(records, from_seq=1):
    """What a careful forger does after an edit: recompute every link from ``from_seq`` on, and the head.

    The chain holds the signing-key records too (kind "key"); the signatures cannot be recomputed."""
    with records.database.session() as session:
        links = [*session.exec(select(VisitRow).where(col(VisitRow.chain_seq).is_not(None))),
                 *session.exec(select(AddendumRow)), *session.exec(select(SigningKeyRow))]
    links.sort(key=lambda row: row.chain_seq)
    statements, prev = [], GENESIS
    for row in links:
        if isinstance(row, VisitRow):
            kind, table, content = "visit", "visit", visit_content
        elif isinstance(row, AddendumRow):
            kind, table, content = "addendum", "addendum", addendum_content
        else:
            kind, table, content = KEY_RECORD_KIND, "signing_key", key_content
        if row.chain_seq >= from_seq:
            row.prev_hash = prev
            row.content_hash = chain_hash(prev, kind, content(row))
            statements.append(f"UPDATE {table} SET prev_hash = '{prev}', content_hash = '{row.content_hash}' "
                              f"WHERE id = {row.id}")
        prev = row.content_hash
    statements.append(f"UPDATE chain_head SET seq = {links[-1].chain_seq}, hash = '{prev}' WHERE id = 1")
    raw(records.database, *statements)


def rehash_audit_chain(database):
    """Recompute every audit link and the audit head, as a forger who removed events would."""
    rows = query(database, f"SELECT {', '.join(AUDIT_FIELDS)} FROM audit_event ORDER BY id")
    statements, prev = [], GENESIS
    for values in rows:
        link = audit_hash(prev, values)
        statements.append(f"UPDATE audit_event SET prev_hash = '{prev}', hash = '{link}' WHERE id = {values[0]}")
        prev = link
    statements.append(f"UPDATE evidence_head SET audit_seq = {rows[-1][0]}, audit_hash = '{prev}' WHERE id = 1")
    raw(database, *statements)


def problems(records, *, anchored=True):
    report = verify_records(records.database) if anchored else verify_chain(records.database)
    return [(p.record_type, p.record_id, p.message) for p in report.problems]


def messages(records):
    return [f"{kind} {rid}: {message}" if rid is not None else f"{kind}: {message}"
            for kind, rid, message in problems(records)]


def any_message(found, expected):
    return any(expected in text for text in found)


# ------------------------------------------------------------------ the end of the chain and the anchor
def test_deleting_the_last_record_with_the_head_moved_back_is_reported_by_the_anchor(records, signed):
    # The chain: the clinician's signing key at 1, visits 1-3 at positions 2-4, the addendum at 5 (the newest).
    ((gone,),) = query(records.database, "SELECT id FROM audit_event WHERE action = 'addendum'")
    later = [i for (i,) in query(records.database, f"SELECT id FROM audit_event WHERE id > {gone} ORDER BY id")]
    raw(records.database, "DELETE FROM addendum", f"DELETE FROM audit_event WHERE id = {gone}",
        *(f"UPDATE audit_event SET id = {i - 1} WHERE id = {i}" for i in later),
        "UPDATE chain_head SET seq = 4, hash = (SELECT content_hash FROM visit WHERE chain_seq = 4) WHERE id = 1")
    rehash_audit_chain(records.database)
    assert verify_chain(records.database).ok  # the file alone holds together: only the anchor can tell
    found = messages(records)
    assert "records: the records end at 4 signed entries but this workstation last saw 5: signed records were " \
           "removed or an older copy of the file is open" in found
    assert any_message(found, "records: the audit trail ends at 11 events but this workstation last saw 12")


def test_truncating_the_chain_is_reported_with_both_counts(records, signed):
    raw(records.database, f"DELETE FROM visit WHERE id = {signed[2]}", "DELETE FROM addendum",
        "UPDATE chain_head SET seq = 3, hash = (SELECT content_hash FROM visit WHERE chain_seq = 3) WHERE id = 1")
    found = messages(records)
    assert any_message(found, "records: the records end at 3 signed entries but this workstation last saw 5")
    assert any_message(found, f"visit {signed[2]}: the audit trail records its signing, but it is missing")


def test_editing_the_last_record_and_rehashing_it_is_a_rewritten_end(records, signed):
    raw(records.database, "UPDATE addendum SET text = 'rewritten'")
    rehash_signed_chain(records, from_seq=5)
    forged = "addendum 1: the signature does not match the record and its signer's key: it was forged or changed"
    assert [f"{p.record_type} {p.record_id}: {p.message}" for p in verify_chain(records.database).problems] == [forged]
    assert messages(records) == [forged, "records: signed entry 5 is not the one this workstation last saw: the "
                                         "records were rewritten from there on"]


def test_rehashing_everything_after_an_edited_record_is_caught_by_the_anchor(records, signed):
    raw(records.database, f"UPDATE visit SET signed_by = 'Mallory' WHERE id = {signed[0]}")
    rehash_signed_chain(records, from_seq=1)
    found = messages(records)
    forged = "the signature does not match the record and its signer's key: it was forged or changed"
    assert found == [f"visit {signed[0]}: {forged}", f"visit {signed[1]}: {forged}", f"visit {signed[2]}: {forged}",
                     f"addendum 1: {forged}",
                     "records: signed entry 5 is not the one this workstation last saw: the records were rewritten "
                     "from there on"]


@pytest.mark.sqlite_only  # an older copy of the file put back
def test_a_rollback_to_an_older_copy_warns_on_open_and_fails_verify(records, patient, signed, tmp_path):
    folder = records.database.folder
    records.close()
    older = tmp_path / "older.db"
    shutil.copy(paths.database_path(folder), older)
    later = Records.open(folder, signed_in=records.actor)
    visit = later.new_visit(patient.id, "discharge", intake=INTAKE)
    later.sign(visit.id, TEST_PASSWORD)
    later.close()
    shutil.copy(older, paths.database_path(folder))
    for suffix in ("-wal", "-shm"):
        paths.database_path(folder).with_name(f"ptassist.db{suffix}").unlink(missing_ok=True)
    opened = Records.open(folder)
    try:
        assert any("the records end at 5 signed entries but this workstation last saw 6" in w
                   for w in opened.database.warnings)
    finally:
        opened.close()
    done = subprocess.run([sys.executable, "-m", "ptassist", "--data-dir", str(folder), "verify"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert "FAIL  records: the records end at 5 signed entries but this workstation last saw 6" in done.stdout
    assert "ptassist: warning: the records end at 5 signed entries" in done.stderr


@pytest.mark.sqlite_only  # the file's own backups and their sidecars
def test_the_newest_backup_remembers_the_head_when_the_workstation_state_is_lost(records, signed, tmp_path):
    folder = records.database.folder
    backup.rotate_backup(records.database, reason="manual")
    newest = backup.newest_backup(folder)
    sidecar = json.loads(anchor.backup_anchor_file(newest).read_text(encoding="utf-8"))
    assert sidecar["seq"] == 5
    raw(records.database, "DELETE FROM addendum",
        "UPDATE chain_head SET seq = 4, hash = (SELECT content_hash FROM visit WHERE chain_seq = 4) WHERE id = 1")
    shutil.rmtree(paths.anchors_dir())
    assert any_message(messages(records), "records: the records end at 4 signed entries but the newest backup last "
                                          "saw 5")


@pytest.mark.sqlite_only  # the app restores SQLite backups only (a server: pg_restore)
def test_restoring_a_backup_on_purpose_moves_the_anchor(records, patient, signed, tmp_path):
    copy = backup.backup_to(records.database, tmp_path / "kept.db")
    visit = records.new_visit(patient.id, "discharge", intake=INTAKE)
    records.sign(visit.id, TEST_PASSWORD)
    backup.restore_from(records.database, copy, replace_newer=True)
    assert verify_records(records.database).ok
    seen = anchor.load(backup.restored_head(records.database).database_id)
    assert seen is not None and seen.seq == 5


def test_the_anchor_is_private_and_follows_every_append(records, signed):
    head = backup.restored_head(records.database)
    path = anchor.anchor_file(head.database_id)
    assert anchor.load(head.database_id) == head
    if paths.os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


# ------------------------------------------------------------------ stored sheets
def test_a_changed_stored_pdf_fails_verify_and_the_viewer(records, signed):
    raw(records.database, "UPDATE document SET content = ? WHERE id = 1", params=(b"%PDF-1.4 forged",))
    assert messages(records) == ["document 1: its bytes do not match the SHA-256 recorded when it was printed: "
                                 "the stored sheet was changed or replaced"]
    with pytest.raises(StoreError, match="run 'ptassist verify'"):
        Printing(records).stored_copy(1)


def test_a_replaced_pdf_with_its_sha256_rewritten_disagrees_with_the_audit_chain(records, signed):
    import hashlib

    forged = b"%PDF-1.4 forged"
    raw(records.database, "UPDATE document SET content = ?, sha256 = ? WHERE id = 1",
        params=(forged, hashlib.sha256(forged).hexdigest()))
    assert messages(records) == ["document 1: its SHA-256 differs from the one the audit trail recorded when it "
                                 "was printed: the stored sheet was replaced"]


def test_a_removed_stored_sheet_is_named(records, signed):
    raw(records.database, "DELETE FROM document WHERE id = 1")
    assert messages(records) == ["document 1: the audit trail records it was printed, but it is missing: a stored "
                                 "sheet was removed"]


# ------------------------------------------------------------------ the audit trail
def test_a_deleted_audit_row_is_caught(records, signed):
    raw(records.database, "DELETE FROM audit_event WHERE id = 3")
    found = messages(records)
    assert "audit_event 4: events 3 to 3 before it are missing: audit events were removed" in found
    assert ("audit_event 4: its link to the previous event does not match: an event before it was changed or "
            "removed") in found


def test_a_changed_audit_row_is_caught(records, signed):
    raw(records.database, "UPDATE audit_event SET actor = 'Mallory' WHERE id = 2")
    assert messages(records) == ["audit_event 2: it does not match its hash: the event was changed"]


def test_the_newest_audit_rows_deleted_are_caught_by_the_audit_head(records, signed):
    raw(records.database, "DELETE FROM audit_event WHERE id = (SELECT MAX(id) FROM audit_event)")
    found = messages(records)
    assert any_message(found, "audit_head: the audit trail ends at event")
    assert any_message(found, "records: audit event 12 is not the one this workstation last saw")


# ------------------------------------------------------------------ visit status
def test_a_signed_visit_set_back_to_draft_is_named(records, signed):
    raw(records.database, f"UPDATE visit SET status = 'draft', chain_seq = NULL, content_hash = NULL, "
                               f"prev_hash = NULL WHERE id = {signed[0]}")
    found = messages(records)
    assert (f"visit {signed[0]}: the audit trail records its signing, but it is a draft now: a signed visit was set "
            "back to draft") in found


def test_a_signed_visit_set_back_to_draft_keeping_its_link_is_named(records, signed):
    raw(records.database, f"UPDATE visit SET status = 'draft' WHERE id = {signed[1]}")
    found = messages(records)
    assert f"visit {signed[1]}: a draft linked into the chain" in found
    assert any_message(found, f"visit {signed[1]}: the audit trail records its signing, but it is a draft now")


def test_a_draft_made_signed_by_update_is_named(records, patient, signed):
    draft = records.new_visit(patient.id, "follow_up", intake=INTAKE)
    raw(records.database, f"UPDATE visit SET status = 'signed', signed_by = 'Alex Carter' WHERE id = {draft.id}")
    found = messages(records)
    assert (f"visit {draft.id}: signed, but the audit trail has no signing of it: it was made signed outside the "
            "app") in found


# ------------------------------------------------------------------ what history shows
@pytest.mark.parametrize(("column", "value", "named"), [
    ("urgency", "'emergency'", "urgency"),
    ("working_diagnosis", "'lumbar_radiculopathy'", "working diagnosis"),
    ("nprs", "1", "NPRS"),
])
def test_history_values_changed_behind_the_signed_content_are_named(records, signed, column, value, named):
    raw(records.database, f"UPDATE visit SET {column} = {value} WHERE id = {signed[2]}")
    assert messages(records) == [f"visit {signed[2]}: history shows a different {named} than its signed content: "
                                 "changed outside the app"]


# ------------------------------------------------------------------ demographics
def test_a_patient_name_or_birth_date_changed_outside_the_app_is_named(records, patient, signed):
    records.patients.update(patient.id, given_name="Chidiebere")
    assert verify_records(records.database).ok
    raw(records.database, f"UPDATE patient SET family_name = 'Other', date_of_birth = '1990-01-01' "
                               f"WHERE id = {patient.id}")
    assert messages(records) == [f"patient {patient.id}: family_name, date_of_birth differ from its last recorded "
                                 "revision: changed outside the app"]


def _renamed_revision(records, patient_id):
    """The patient's first revision with the family name changed, as its JSON text."""
    ((fields_json,),) = query(records.database, f"SELECT fields_json FROM patient_revision WHERE patient_id = "
                                                f"{patient_id}")
    return json.dumps({**json.loads(fields_json), "family_name": "Other"}, sort_keys=True, separators=(",", ":"))


def test_a_rewritten_revision_is_named(records, patient, signed):
    fields_json = _renamed_revision(records, patient.id)
    raw(records.database,
        f"UPDATE patient SET family_name = 'Other' WHERE id = {patient.id}",
        f"UPDATE patient_revision SET fields_json = ? WHERE patient_id = {patient.id}", params=(fields_json,))
    assert messages(records) == [f"patient {patient.id}: revision 1 does not match its SHA-256: it was changed "
                                 "outside the app"]


def test_a_revision_rewritten_with_its_sha256_disagrees_with_the_audit_chain(records, patient, signed):
    from ptassist.store.demographics import revision_digest

    fields_json = _renamed_revision(records, patient.id)
    raw(records.database,
        f"UPDATE patient SET family_name = 'Other' WHERE id = {patient.id}",
        f"UPDATE patient_revision SET fields_json = ?, sha256 = '{revision_digest(patient.id, 1, fields_json)}' "
        f"WHERE patient_id = {patient.id}", params=(fields_json,))
    assert messages(records) == [f"patient {patient.id}: revision 1 does not match the audit trail: it was changed "
                                 "or added outside the app"]


def test_every_change_is_a_revision_and_audited(records, patient):
    records.patients.update(patient.id, date_of_birth="1979-05-03")
    rows = query(records.database, "SELECT r.revision, r.fields_json, e.action FROM patient_revision r "
                                   "JOIN audit_event e ON e.id = r.audit_event_id "
                                   f"WHERE r.patient_id = {patient.id} ORDER BY r.revision")
    assert [(n, json.loads(fields)["date_of_birth"], action) for n, fields, action in rows] == [
        (1, "1979-05-02", "create"), (2, "1979-05-03", "edit")]


@pytest.mark.sqlite_only  # the file's own backups and their sidecars
def test_a_rotated_out_backup_takes_its_heads_with_it(records, signed):
    for _ in range(3):
        backup.rotate_backup(records.database, reason="manual", keep=2)
    folder = backup.backup_policy(records.database.folder).folder
    kept = sorted(p.name for p in folder.glob("*.db"))
    assert sorted(p.name.removesuffix(".json") for p in (folder / anchor.BACKUP_ANCHORS).glob("*.json")) == kept
    assert len(kept) == 2


def test_a_back_dated_signed_visit_inserted_with_a_correct_hash_is_named(records, patient, signed):
    """The issue's first attack needs no trigger dropped: one INSERT and one UPDATE of the head."""
    with records.database.session() as session:
        head = session.get(ChainHeadRow, 1)
        seq, prev = head.seq + 1, head.hash
    forged = VisitRow(id=99, patient_id=patient.id, visit_time="2025-06-01T09:00:00+00:00", kind="follow_up",
                      status="signed", narrative_json="{}", measures_json="{}", prescription_json="[]",
                      signed_at="2025-06-01T10:00:00+00:00", signed_by="Alex Carter", updated_at="2025-06-01",
                      chain_seq=seq, prev_hash=prev)
    forged.content_hash = chain_hash(prev, "visit", visit_content(forged))
    connection = RawConnection(records.database)  # no lock refuses an INSERT
    connection.execute(
        "INSERT INTO visit (id, patient_id, visit_time, kind, status, narrative_json, measures_json, "
        "prescription_json, signed_at, signed_by, updated_at, chain_seq, prev_hash, content_hash) "
        "VALUES (99, ?, ?, 'follow_up', 'signed', '{}', '{}', '[]', ?, 'Alex Carter', '2025-06-01', ?, ?, ?)",
        (patient.id, forged.visit_time, forged.signed_at, seq, prev, forged.content_hash))
    connection.execute("UPDATE chain_head SET seq = ?, hash = ? WHERE id = 1", (seq, forged.content_hash))
    connection.commit()
    connection.close()
    assert messages(records) == [  # unsigned after the first signing key, and no signing in the audit trail
        "visit 99: not signed, though every record after the first signing key must be: it was added or changed "
        "outside ptassist",
        "visit 99: signed, but the audit trail has no signing of it: it was made signed outside the app"]
