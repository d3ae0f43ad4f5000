"""Note search: full text over the narrative, per patient and across patients, kept up to date."""

from __future__ import annotations

from tests.store.conftest import INTAKE


def _visit(records, patient_id, subjective, plan="", time="2026-03-01T09:00"):
    visit = records.new_visit(patient_id, "follow_up", intake=INTAKE, visit_time=time)
    return records.save_draft(visit, narrative={"subjective": subjective, **({"plan": plan} if plan else {})})


def test_words_are_found_as_prefixes_with_accents_and_case_folded(records, patient):
    other = records.patients.add(family_name="Ngata", given_name="Aroha", date_of_birth="1950-01-01")
    first = _visit(records, patient.id, "Pain after the Marathon; iliotibial band tight", time="2026-03-01T09:00")
    _visit(records, other.id, "Café stairs hurt", plan="Progress marathon training", time="2026-03-02T09:00")
    hits = records.notes.search("MARATH")
    assert [h.visit_id for h in hits][-1] == first.id and len(hits) == 2
    assert {h.patient_name for h in hits} == {"Okafor, Chidi", "Ngata, Aroha"}
    assert [h.patient_id for h in records.notes.search("cafe")] == [other.id]
    assert "[Marathon]" in records.notes.search("marathon", patient_id=patient.id)[0].snippet
    assert records.notes.search("marathon iliotibial", patient_id=other.id) == []
    assert records.notes.search('" OR * (') == []  # punctuation is not syntax


def test_a_long_word_matches_on_its_first_six_letters(records, patient):
    _visit(records, patient.id, "Hamstring stretched daily")
    assert len(records.notes.search("stretching")) == 1 and records.notes.search("stretto") == []


def test_the_index_follows_draft_edits_and_deletion(records, patient):
    visit = _visit(records, patient.id, "knee swelling")
    assert records.notes.search("swelling")
    visit = records.save_draft(visit, narrative={"subjective": "no effusion now"})
    assert records.notes.search("swelling") == [] and records.notes.search("effusion")
    records.visits.delete_draft(visit.id, "t")
    assert records.notes.search("effusion") == []


def test_other_scripts_fold_case_and_accents_alike(records, patient):
    _visit(records, patient.id, "Ольга: КОЛЕНО болит. Nguyễn, ÉTÉ—stairs")
    assert len(records.notes.search("колено")) == 1
    assert len(records.notes.search("ольга NGUYEN ete")) == 1
    assert len(records.notes.search("stairs")) == 1  # a dash between words splits them
    assert records.notes.search("колени") == []
