"""Key records are vouched for back to the clinic's root key, which is anchored outside the file.

The database key (which every account holds) makes the key records' HMAC tags, so an account
holder with write access to the file can mint a key record with a correct tag: only the
endorsements, made with administrators' private keys or the recovery key, tell it from a real one.
"""

from __future__ import annotations

import sqlite3

import pytest

from ptassist.core.ledger import chain_hash
from ptassist.core.signed_content import signed_message
from ptassist.security.argon2_params import TEST_ONLY
from ptassist.security.encoding import b64
from ptassist.security.endorsement import ROOT, endorse
from ptassist.security.signing import SigningKey, fingerprint
from ptassist.services.account_admin import reset_password
from ptassist.services.identity import log_in, recover, set_up, trust_fingerprints
from ptassist.services.records import Records
from ptassist.store import anchor
from ptassist.store.accounts import KEY_RECORD_KIND, key_content, key_record_tag
from ptassist.store.key_trust import NOT_YET_ENDORSED
from ptassist.store.models import SigningKeyRow, VisitRow
from ptassist.store.visits import visit_content
from tests.helpers import TEST_PASSWORD, add_clinician, open_clinic
from tests.store.conftest import INTAKE

# The forgeries here write the SQLite file with sqlite3; on a server the same key trust runs in the
# other services tests, and migration 0008's locks are checked in tests/store/test_postgresql.py.
pytestmark = pytest.mark.sqlite_only

NEW_PASSWORD = "a brand new passphrase"
UNVOUCHED = ("no administrator whose key leads back to the clinic's root key vouches for this signing key: it was "
             "added outside ptassist")


def problems(records):
    return [(p.record_type, p.record_id, p.message) for p in records.verify().problems]


def _signed_visit(records, patient_id, day="01"):
    visit = records.new_visit(patient_id, "follow_up", intake=INTAKE, visit_time=f"2026-03-{day}T09:00:00+00:00")
    return records.sign(visit.id, TEST_PASSWORD)


def _visit_row(raw, visit_id):
    raw.row_factory = sqlite3.Row
    values = dict(raw.execute("SELECT * FROM visit WHERE id = ?", (visit_id,)).fetchone())
    raw.row_factory = None
    return VisitRow(**values)


def _forge_key_and_visit(path, database_key, victim_id, victim_name, draft_id=None):
    """What an account holder with raw write access can do: a key record in another clinician's name
    with a correct hash and a correct HMAC tag, and a draft turned into a visit signed with it."""
    raw = sqlite3.connect(path)
    seq, prev = raw.execute("SELECT seq, hash FROM chain_head WHERE id = 1").fetchone()
    forger = SigningKey.generate()
    key_id = raw.execute("SELECT max(id) FROM signing_key").fetchone()[0] + 1
    key = SigningKeyRow(id=key_id, account_id=victim_id, account_name=victim_name, public_key=b64(forger.public_key()),
                        fingerprint=fingerprint(forger.public_key()), created_at="2026-03-03T09:00:00+00:00", tag="",
                        chain_seq=seq + 1, content_hash="", prev_hash=prev)
    key.content_hash = chain_hash(prev, KEY_RECORD_KIND, key_content(key))
    key.tag = key_record_tag(database_key, key.content_hash)  # the tag is right: the forger holds the database key
    values = key.model_dump()
    raw.execute(f"INSERT INTO signing_key ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
                tuple(values.values()))
    if draft_id is None:  # the key record alone
        raw.execute("UPDATE chain_head SET seq = ?, hash = ? WHERE id = 1", (key.chain_seq, key.content_hash))
        raw.commit()
        raw.close()
        return key_id, forger
    row = _visit_row(raw, draft_id)
    row.status, row.chain_seq, row.prev_hash = "signed", key.chain_seq + 1, key.content_hash
    row.signed_at, row.signed_by, row.content_version, row.signer_key_id = ("2026-03-03T10:00:00+00:00", victim_name,
                                                                            2, key.id)
    row.content_hash = chain_hash(row.prev_hash, "visit", visit_content(row))
    signature = b64(forger.sign(signed_message("visit", row.content_hash, row.prev_hash)))
    raw.execute("UPDATE visit SET status = 'signed', chain_seq = ?, prev_hash = ?, content_hash = ?, signed_at = ?, "
                "signed_by = ?, content_version = 2, signer_key_id = ?, signature = ? WHERE id = ?",
                (row.chain_seq, row.prev_hash, row.content_hash, row.signed_at, row.signed_by, key.id, signature,
                 draft_id))
    raw.execute("UPDATE chain_head SET seq = ?, hash = ? WHERE id = 1", (row.chain_seq, row.content_hash))
    raw.commit()
    raw.close()
    return key_id, forger


def test_an_assistant_with_file_access_cannot_mint_a_key_record_for_a_clinician(records, patient):
    clinician = add_clinician(records, "Bo Chen")
    _signed_visit(clinician, patient.id)
    clinician.close()
    assistant = add_clinician(records, "Sam Lee", roles=("assistant",))
    draft = assistant.new_visit(patient.id, "follow_up", intake=INTAKE)
    assert assistant.actor is not None and assistant.actor.signing_key is None  # an assistant has no key
    bo = records.accounts.get("Bo Chen")
    key_id, _ = _forge_key_and_visit(records.database.path, assistant.actor.database_key, bo.id, "Bo Chen", draft.id)
    assistant.close()
    found = problems(records)  # the HMAC tag holds (no "tag" problem): the endorsement does not
    assert ("key", key_id, UNVOUCHED) in found
    assert ("visit", draft.id, f"it was signed with key record {key_id}, which no administrator vouches for as a "
                               "clinician's key: it was forged outside ptassist") in found
    assert not [p for p in found if "tag does not match" in p[2]]


def test_a_forged_endorsement_or_second_root_does_not_vouch_for_a_key(records, patient):
    draft = records.new_visit(patient.id, "follow_up", intake=INTAKE)
    key_id, forger = _forge_key_and_visit(records.database.path, records.actor.database_key, 1, "Alex Carter",
                                          draft.id)
    raw = sqlite3.connect(records.database.path)
    public = b64(forger.public_key())
    fake_root = endorse(forger, ROOT, "Alex Carter", public, "administrator,clinician")
    fake_admin = endorse(forger, "key:1", "Alex Carter", public, "administrator,clinician")  # not the root's key
    for endorsement in (fake_root, fake_admin):
        raw.execute("INSERT INTO key_endorsement (key_id, endorser, roles, recovery_public_key, signature, created_at) "
                    "VALUES (?, ?, ?, '', ?, '2026-03-03T09:00:00+00:00')",
                    (key_id, endorsement.endorser, endorsement.roles, b64(endorsement.signature)))
    raw.commit()
    raw.close()
    found = problems(records)
    assert [p for p in found if p[0] == "key"] == [
        ("key", key_id, "a second root endorsement (2): the clinic has one root key (key record 1); this one was "
                        "added outside ptassist"),
        ("key", key_id, "its endorsement 3 does not hold (the signature is wrong or its endorser is not vouched "
                        "for): it was forged or changed outside ptassist"),
        ("key", key_id, UNVOUCHED),
    ]


def test_a_legitimately_enrolled_clinician_and_an_administrators_reset_verify(records, patient):
    clinician = add_clinician(records, "Bo Chen")
    _signed_visit(clinician, patient.id, "01")
    clinician.close()
    reset_password(records, "Bo Chen", NEW_PASSWORD)  # a new key pair, endorsed by the administrator now
    again = Records.open(records.database.folder,
                         signed_in=log_in(records.database.folder, "Bo Chen", NEW_PASSWORD, params=TEST_ONLY))
    visit = again.new_visit(patient.id, "follow_up", intake=INTAKE, visit_time="2026-03-02T09:00:00+00:00")
    again.sign(visit.id, NEW_PASSWORD)
    again.close()
    trust = records.accounts.trust()
    assert trust.root_id == 1 and sorted(trust.trusted) == [1, 2, 3]  # the root and both of Bo's keys
    assert trust.may_sign(2) and trust.may_sign(3) and not trust.may_endorse(3)
    report = records.verify()
    assert report.ok, report.problems


def test_an_administrator_vouches_through_their_own_endorsed_key(records, patient):
    admin = add_clinician(records, "Ana Ruiz", roles=("administrator",))  # an administrator who does not sign
    assert admin.actor.signing_key is not None  # ... but has a key to vouch with
    admin.add_user("Bo Chen", frozenset({"clinician"}), TEST_PASSWORD)
    admin.close()
    bo = open_clinic(records.database.folder, "Bo Chen")
    _signed_visit(bo, patient.id)
    report = bo.verify()
    bo.close()
    assert report.ok, report.problems


def test_a_replaced_root_in_the_file_is_caught_by_the_workstation_anchor(records, patient):
    _signed_visit(records, patient.id)
    raw = sqlite3.connect(records.database.path)
    raw.execute("DROP TRIGGER key_endorsement_no_delete")
    raw.execute("DELETE FROM key_endorsement WHERE endorser = 'root'")  # the forger cannot sign as key 1 ...
    public = raw.execute("SELECT public_key FROM signing_key WHERE id = 1").fetchone()[0]
    raw.commit()
    raw.close()
    draft = records.new_visit(patient.id, "follow_up", intake=INTAKE)
    forged_id, forger = _forge_key_and_visit(records.database.path, records.actor.database_key, 1, "Alex Carter",
                                             draft.id)
    raw = sqlite3.connect(records.database.path)
    own = b64(forger.public_key())  # ... so they make their own key the root
    root = endorse(forger, ROOT, "Alex Carter", own, "administrator,clinician")
    raw.execute("INSERT INTO key_endorsement (key_id, endorser, roles, recovery_public_key, signature, created_at) "
                "VALUES (?, 'root', ?, '', ?, '2026-03-03T09:00:00+00:00')",
                (forged_id, root.roles, b64(root.signature)))
    raw.commit()
    raw.close()
    assert public != own
    found = problems(records)
    # In the file alone the forger's root now holds; the real key records no longer lead to it ...
    assert ("key", 1, UNVOUCHED) in found
    # ... and the workstation anchored the real root: the replacement is named.
    anchored = [p for p in found if p[0] == "records"]
    assert any("root signing key in the records" in p[2] and fingerprint(forger.public_key()) in p[2]
               for p in anchored), anchored


def test_a_workstation_without_an_anchor_pins_the_root_it_sees_and_says_so(records, patient, tmp_path):
    _signed_visit(records, patient.id)
    folder = records.database.folder
    signed_in = records.actor
    records.close()
    _forget_anchors(folder, tmp_path / "state")  # a new workstation (or a copy of the folder without its backups)
    again = Records.open(folder, signed_in=signed_in)
    try:
        root_print = fingerprint(signed_in.signing_key.public_key())
        assert any("now trusts the one they hold" in w and root_print in w for w in again.database.warnings)
        assert again.verify().ok
    finally:
        again.close()
    again = Records.open(folder, signed_in=signed_in)  # pinned: no second warning
    try:
        assert not again.database.warnings
    finally:
        again.close()


def test_the_recovery_key_re_enrols_a_clinician_whose_password_is_lost(tmp_path):
    folder = tmp_path / "data"
    signed_in, recovery = set_up(folder, name="Mei Lin", password=TEST_PASSWORD, credentials="PT",
                                 registration="PNZ 1", encrypted=True, params=TEST_ONLY)
    root_print, recovery_print = trust_fingerprints(folder, recovery)
    assert root_print == signed_in.fingerprint
    records = Records.open(folder, signed_in=signed_in)
    head = anchor.load(anchor.read_head(_runner(records)).database_id)
    assert head is not None and head.root == signed_in.public_key and head.recovery  # anchored outside the file
    patient = records.patients.add(family_name="Okafor", given_name="Chidi", date_of_birth="1979-05-02")
    _signed_visit(records, patient.id, "01")
    records.close()
    again = recover(folder, recovery, "Mei Lin", NEW_PASSWORD, params=TEST_ONLY)
    records = Records.open(folder, signed_in=again)
    try:
        visit = records.new_visit(patient.id, "follow_up", intake=INTAKE, visit_time="2026-03-02T09:00:00+00:00")
        records.sign(visit.id, NEW_PASSWORD)
        report = records.verify()
        assert report.ok, report.problems
        trust = records.accounts.trust()
        assert trust.may_sign(records.accounts.key_record(again.public_key))
        assert recovery_print  # printed on the recovery sheet beside the root's
    finally:
        records.close()


def _runner(records):
    from ptassist.store.sql_run import connection_runner

    session = records.database.session()
    return connection_runner(session.connection())


def _forget_anchors(folder, state):
    for path in [*state.rglob("*.json"), *folder.rglob("anchors/*.json")]:
        path.unlink()


def test_records_from_before_endorsements_are_reported_then_endorsed_once_by_an_administrator(records, patient,
                                                                                            tmp_path):
    clinician = add_clinician(records, "Bo Chen")
    _signed_visit(clinician, patient.id)
    clinician.close()
    folder = records.database.folder
    records.close()
    _forget_anchors(folder, tmp_path / "state")  # a 0007-era workstation anchored heads only
    raw = sqlite3.connect(folder / "ptassist.db")  # what a 0007-era file holds: key records with HMAC tags only
    raw.execute("DROP TABLE draft_lease")  # 0009's
    raw.execute("DROP TABLE restore_statement")  # restore statements' migration
    raw.execute("DROP TABLE key_endorsement")
    raw.execute("UPDATE alembic_version SET version_num = '0007'")
    raw.commit()
    raw.close()
    bo = open_clinic(folder, "Bo Chen")  # migrated to 0008; a clinician does not endorse
    try:
        found = problems(bo)
        assert found == [("key", 1, NOT_YET_ENDORSED), ("key", 2, NOT_YET_ENDORSED)]
    finally:
        bo.close()
    admin = open_clinic(folder, "Alex Carter")
    try:
        notice = [w for w in admin.database.warnings if "now endorsed" in w]
        assert len(notice) == 1 and "Bo Chen (key record 2" in notice[0]
        assert admin.verify().ok
    finally:
        admin.close()
    admin = open_clinic(folder, "Alex Carter")  # once only
    try:
        assert not [w for w in admin.database.warnings if "now endorsed" in w]
    finally:
        admin.close()


@pytest.mark.parametrize("name", ["Alex Carter"])
def test_the_root_is_the_first_administrators_key(records, name):
    trust = records.accounts.trust()
    assert trust.root_id == records.accounts.key_record(records.actor.public_key)
    assert records.accounts.get(name).fingerprint == records.actor.fingerprint


def test_restoring_a_backup_whose_root_was_replaced_keeps_the_anchored_root(records, patient, tmp_path):
    from ptassist.store import backup as backups

    _signed_visit(records, patient.id)
    real_root = records.actor.public_key
    forged_id, forger = _forge_key_and_visit(records.database.path, records.actor.database_key, 1, "Alex Carter")
    raw = sqlite3.connect(records.database.path)  # a consistent rewrite: the forger's key is the root and
    raw.execute("DROP TRIGGER key_endorsement_no_delete")  # vouches for every key, the real ones too
    raw.execute("DELETE FROM key_endorsement")
    own = b64(forger.public_key())
    rows = [(forged_id, endorse(forger, ROOT, "Alex Carter", own, "administrator,clinician"))]
    for key_id, name, public in raw.execute("SELECT id, account_name, public_key FROM signing_key WHERE id != ?",
                                            (forged_id,)).fetchall():
        rows.append((key_id, endorse(forger, f"key:{forged_id}", name, public, "administrator,clinician")))
    for key_id, e in rows:
        raw.execute("INSERT INTO key_endorsement (key_id, endorser, roles, recovery_public_key, signature, created_at) "
                    "VALUES (?, ?, ?, '', ?, '2026-03-03T09:00:00+00:00')", (key_id, e.endorser, e.roles,
                                                                             b64(e.signature)))
    raw.execute("CREATE TRIGGER key_endorsement_no_delete BEFORE DELETE ON key_endorsement BEGIN "
                "SELECT RAISE(ABORT, 'endorsements are permanent records'); END")  # put back as ptassist makes it
    raw.commit()
    raw.close()
    copy = backups.backup_to(records.database, tmp_path / "copy.db")
    backups.restore_from(records.database, copy, replace_newer=True)
    head = anchor.read_head(_runner(records))
    assert head.root == own and anchor.load(head.database_id).root == real_root  # the anchor kept the real root
    found = problems(records)
    assert not [p for p in found if p[0] == "key"]  # in the file alone every key now leads to the forged root
    assert any("root signing key in the records" in p[2] and fingerprint(forger.public_key()) in p[2]
               for p in found if p[0] == "records"), found
