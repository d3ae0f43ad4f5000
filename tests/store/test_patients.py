"""Patients: validation that names the field, and search in any script."""

from __future__ import annotations

import pytest

from ptassist.core.validation import ValidationError

NAMES = [
    ("Müller", "Zoë"),
    ("Lefèvre", "Hélène"),
    ("Иванов", "Дмитрий"),
    ("Παπαδόπουλος", "Ἀθηνᾶ"),
    ("الخطيب", "فاطمة"),
    ("王", "小明"),
    ("शर्मा", "अनीता"),
    ("Nguyễn", "Thảo"),
]


def test_add_generates_a_chart_number_and_keeps_every_field(records):
    p = records.patients.add(family_name=" Müller ", given_name="Zoë", date_of_birth="1980-03-07", sex="female",
                             email="zoe@example.org", notes="Likes running 🏃 on trails", referring_physician="Dr Lee")
    assert p.chart_number == "P000001"
    assert p.family_name == "Müller"
    again = records.patients.get(p.id)
    assert again == p
    assert again.notes.endswith("🏃 on trails")


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"family_name": "", "given_name": "A", "date_of_birth": "1980-01-01"}, "family_name", "is required"),
        ({"family_name": "A", "given_name": "B", "date_of_birth": "07/03/1980"}, "date_of_birth", "YYYY-MM-DD"),
        ({"family_name": "A", "given_name": "B", "date_of_birth": "1980-02-30"}, "date_of_birth", "not a real date"),
        ({"family_name": "A", "given_name": "B", "date_of_birth": "2999-01-01"}, "date_of_birth", "in the future"),
        ({"family_name": "A", "given_name": "B", "date_of_birth": "1980-01-01", "sex": "f"}, "sex", "must be one of"),
        ({"family_name": "A", "given_name": "B", "date_of_birth": "1980-01-01", "email": "nope"}, "email", "not an email"),
        ({"family_name": "A" * 201, "given_name": "B", "date_of_birth": "1980-01-01"}, "family_name", "at most 200"),
        ({"family_name": "A\x00", "given_name": "B", "date_of_birth": "1980-01-01"}, "family_name", "control characters"),
        ({"family_name": "A", "given_name": "B", "date_of_birth": "1980-01-01", "chart_number": "has space"},
         "chart_number", "no spaces"),
    ],
)
def test_bad_fields_are_rejected_naming_the_field(records, fields, field, words):
    with pytest.raises(ValidationError) as caught:
        records.patients.add(**fields)
    assert caught.value.field == field
    assert words in str(caught.value)
    assert records.patients.count() == 0


def test_chart_numbers_are_unique(records):
    records.patients.add(family_name="A", given_name="B", date_of_birth="1980-01-01", chart_number="X-1")
    with pytest.raises(ValidationError, match="already used"):
        records.patients.add(family_name="C", given_name="D", date_of_birth="1980-01-01", chart_number="X-1")


def test_names_in_every_script_are_stored_and_found(records):
    ids = {}
    for family, given in NAMES:
        ids[(family, given)] = records.patients.add(family_name=family, given_name=given, date_of_birth="1970-01-01").id
    for (family, given), pid in ids.items():
        assert records.patients.get(pid).family_name == family
        assert pid in [p.id for p in records.patients.search(family)], family
        assert pid in [p.id for p in records.patients.search(given)], given


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("zoe", "Zoë"),
        ("ZOË", "Zoë"),
        ("muller", "Zoë"),
        ("mül", "Zoë"),
        ("zoe mul", "Zoë"),
        ("helene", "Hélène"),
        ("lefev", "Hélène"),
        ("αθηνα", "Ἀθηνᾶ"),
        ("παπαδ", "Ἀθηνᾶ"),
        ("иван", "Дмитрий"),
        ("小", "小明"),
        ("nguyen", "Thảo"),
    ],
)
def test_search_is_word_prefix_case_and_accent_blind(records, query, expected):
    for family, given in NAMES:
        records.patients.add(family_name=family, given_name=given, date_of_birth="1970-01-01")
    found = [p.given_name for p in records.patients.search(query)]
    assert expected in found


def test_search_by_chart_number_and_date_of_birth(records):
    a = records.patients.add(family_name="A", given_name="B", date_of_birth="1980-03-07", chart_number="KN-2024-17")
    b = records.patients.add(family_name="C", given_name="D", date_of_birth="1991-12-01")
    assert [p.id for p in records.patients.search("KN-2024-17")] == [a.id]
    assert [p.id for p in records.patients.search("kn-2024")] == [a.id]
    assert [p.id for p in records.patients.search("1980-03-07")] == [a.id]
    assert [p.id for p in records.patients.search("01/12/1991")] == [b.id]
    assert records.patients.search("nobody") == []
    assert records.patients.search("   ") == []


def test_search_never_breaks_on_fts_syntax(records):
    records.patients.add(family_name="O'Connor", given_name="Seán", date_of_birth="1970-01-01")
    for query in ('"', "a AND", "NEAR(", "*", "o'connor", "-", "sean)"):
        records.patients.search(query)  # no exception
    assert records.patients.search("o'connor")[0].family_name == "O'Connor"


def test_editing_a_patient_updates_search(records):
    p = records.patients.add(family_name="Smith", given_name="Jo", date_of_birth="1970-01-01")
    records.patients.update(p.id, family_name="Schäfer")
    assert [x.id for x in records.patients.search("schafer")] == [p.id]
    assert records.patients.search("smith") == []


def test_a_blank_chart_number_is_generated(records):
    assert records.patients.add(family_name="A", given_name="B", date_of_birth="1980-01-01", chart_number="  ").chart_number == "P000001"
