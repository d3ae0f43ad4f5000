"""Signatures: a record forged by raw SQL fails verify even with a correctly computed hash."""

from __future__ import annotations

import pytest

from ptassist.core.ledger import chain_hash
from ptassist.security.encoding import b64
from ptassist.security.signing import SigningKey, fingerprint
from ptassist.store.accounts import KEY_RECORD_KIND, key_content
from ptassist.store.models import SigningKeyRow, VisitRow
from ptassist.store.visits import visit_content
from tests.backends import RawConnection
from tests.helpers import TEST_PASSWORD
from tests.store.conftest import INTAKE


@pytest.fixture
def signed(records, patient):
    """Two signed visits and a draft, in records that have a clinician's key in the chain."""
    visits = []
    for day in ("01", "02"):
        visit = records.new_visit(patient.id, "follow_up", intake=INTAKE, visit_time=f"2026-03-{day}T09:00:00+00:00")
        visits.append(records.sign(visit.id, TEST_PASSWORD))
    draft = records.new_visit(patient.id, "follow_up", intake=INTAKE)
    assert records.verify().ok
    return visits, draft


def head(raw):
    return raw.execute("SELECT seq, hash FROM chain_head WHERE id = 1").fetchone()


def problems(records):
    return [(p.record_type, p.record_id, p.message) for p in records.verify().problems]


def _row(raw, visit_id):
    return VisitRow(**raw.fetch_dict("SELECT * FROM visit WHERE id = ?", (visit_id,)))


def test_a_back_dated_visit_inserted_with_a_correct_hash_is_caught(records, signed, patient):
    visits, _draft = signed
    raw = RawConnection(records.database)
    seq, prev = head(raw)
    row = _row(raw, visits[0].id)
    row.id, row.chain_seq, row.prev_hash, row.visit_time = 99, seq + 1, prev, "2025-01-01T09:00:00+00:00"
    row.content_hash = chain_hash(prev, "visit", visit_content(row))  # recomputed exactly as signing does
    values = row.model_dump()  # every column, the patient's details as signed too, so the hash is right
    raw.execute(f"INSERT INTO visit ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
                tuple(values.values()))  # the signature copied from another visit
    raw.execute("UPDATE chain_head SET seq = ?, hash = ? WHERE id = 1", (row.chain_seq, row.content_hash))
    raw.commit()
    raw.close()
    found = problems(records)
    assert found == [  # the hash holds: the signature gives it away, and the audit trail has no signing of it
        ("visit", 99, "the signature does not match the record and its signer's key: it was forged or changed"),
        ("visit", 99, "signed, but the audit trail has no signing of it: it was made signed outside the app"),
    ]


def test_a_draft_turned_into_a_signed_visit_by_one_update_is_caught(records, signed):
    _visits, draft = signed
    raw = RawConnection(records.database)
    seq, prev = head(raw)
    row = _row(raw, draft.id)
    row.status, row.chain_seq, row.prev_hash = "signed", seq + 1, prev
    row.signed_at, row.signed_by = "2026-03-03T09:00:00+00:00", "Alex Carter"
    digest = chain_hash(prev, "visit", visit_content(row))
    raw.execute("UPDATE visit SET status = 'signed', chain_seq = ?, prev_hash = ?, content_hash = ?, signed_at = ?, "
                "signed_by = ? WHERE id = ?", (seq + 1, prev, digest, row.signed_at, row.signed_by, draft.id))
    raw.execute("UPDATE chain_head SET seq = ?, hash = ? WHERE id = 1", (seq + 1, digest))
    raw.commit()
    raw.close()
    found = problems(records)
    assert found == [  # the signature rule, the audit trail (no signing) and history (no frozen assessment)
        ("visit", draft.id, "not signed, though every record after the first signing key must be: it was added or "
                            "changed outside ptassist"),
        ("visit", draft.id, "signed, but the audit trail has no signing of it: it was made signed outside the app"),
        ("visit", draft.id, "history shows a different urgency, working diagnosis than its signed content: changed "
                            "outside the app"),
    ]


def test_a_visit_signed_with_a_key_record_made_by_sql_is_caught(records, signed):
    _visits, draft = signed  # a forger adds a key record of their own, with a correct hash ...
    raw = RawConnection(records.database)
    seq, prev = head(raw)
    forger = SigningKey.generate()
    public = b64(forger.public_key())
    key = SigningKeyRow(id=9, account_id=1, account_name="Alex Carter", public_key=public,
                        fingerprint=fingerprint(forger.public_key()), created_at="2026-03-03T09:00:00+00:00",
                        tag="0" * 64, chain_seq=seq + 1, content_hash="", prev_hash=prev)
    key.content_hash = chain_hash(prev, KEY_RECORD_KIND, key_content(key))
    raw.execute("INSERT INTO signing_key (id, account_id, account_name, public_key, fingerprint, created_at, tag, "
                "chain_seq, content_hash, prev_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (key.id, key.account_id, key.account_name, key.public_key, key.fingerprint, key.created_at, key.tag,
                 key.chain_seq, key.content_hash, key.prev_hash))
    # ... then a visit signed with that key: its signature is valid for the forged key.
    row = _row(raw, draft.id)
    row.status, row.chain_seq, row.prev_hash = "signed", key.chain_seq + 1, key.content_hash
    row.signed_at, row.signed_by, row.content_version, row.signer_key_id = "2026-03-03T10:00:00+00:00", \
        "Alex Carter", 2, key.id
    row.content_hash = chain_hash(row.prev_hash, "visit", visit_content(row))
    from ptassist.core.signed_content import signed_message

    signature = b64(forger.sign(signed_message("visit", row.content_hash, row.prev_hash)))
    raw.execute("UPDATE visit SET status = 'signed', chain_seq = ?, prev_hash = ?, content_hash = ?, signed_at = ?, "
                "signed_by = ?, content_version = 2, signer_key_id = ?, signature = ? WHERE id = ?",
                (row.chain_seq, row.prev_hash, row.content_hash, row.signed_at, row.signed_by, key.id, signature,
                 draft.id))
    raw.execute("UPDATE chain_head SET seq = ?, hash = ? WHERE id = 1", (row.chain_seq, row.content_hash))
    raw.commit()
    raw.close()
    found = problems(records)
    assert found == [  # the forged key gives it away; the audit trail and history name the visit too
        ("key", 9, "the signing-key record was not made by ptassist (its tag does not match these records' key): it "
                   "was added or changed outside ptassist"),
        ("visit", draft.id, "signed, but the audit trail has no signing of it: it was made signed outside the app"),
        ("visit", draft.id, "history shows a different urgency, working diagnosis than its signed content: changed "
                            "outside the app"),
    ]


def test_a_signature_moved_to_another_signer_name_is_caught(records, signed):
    visits, _draft = signed
    raw = RawConnection(records.database)
    raw.drop_trigger("visit_signed_no_update")  # as the file's owner or the server's superuser can
    row = _row(raw, visits[1].id)
    row.signed_by = "Mallory"
    digest = chain_hash(row.prev_hash or "", "visit", visit_content(row))
    raw.execute("UPDATE visit SET signed_by = 'Mallory', content_hash = ? WHERE id = ?", (digest, visits[1].id))
    raw.execute("UPDATE chain_head SET hash = ? WHERE id = 1", (digest,))
    raw.commit()
    raw.close()
    found = problems(records)
    assert found == [  # the signature no longer matches; the anchor sees the newest entry rewritten
        ("visit", visits[1].id, "the signature does not match the record and its signer's key: it was forged or "
                                "changed"),
        ("records", None, "signed entry 3 is not the one this workstation last saw: the records were rewritten from "
                          "there on"),
    ]


def test_records_signed_before_accounts_still_verify(tmp_path):
    """Version-1 records (no signature) before the first key record are the ones made before 0005."""
    from ptassist.services.records import Records
    from ptassist.store.demo import build_demo
    from tests.helpers import open_clinic

    folder = tmp_path / "old"
    plain = Records.open(folder)
    build_demo(plain.database, 3, seed=2)
    plain.close()
    records = open_clinic(folder)
    try:
        patient = records.patients.page(limit=1)[0]
        visit = records.new_visit(patient.id, "follow_up", intake=INTAKE)
        records.sign(visit.id, TEST_PASSWORD)
        report = records.verify()
        assert report.ok, report.problems
    finally:
        records.close()
