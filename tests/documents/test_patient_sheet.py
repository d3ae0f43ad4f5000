"""The patient's sheet: urgency decides what it is; it is readable at 70 and true of the findings."""

from __future__ import annotations

from datetime import date

import pytest

from ptassist.core.engine import default_engine
from ptassist.core.exercises import load_library
from ptassist.core.intake import parse_intake
from ptassist.core.records import ClinicSettings, Patient
from ptassist.core.sheets import HepContent, hep_content
from ptassist.documents.hep import render_hep
from ptassist.documents.styles import styles
from tests.documents.helpers import all_text, pages_text, text_sizes
from tests.helpers import intake, sym

CLINIC = ClinicSettings(name="Riverside Physiotherapy", address="12 Mill Lane, Bristol", phone="0117 555 0100",
                        emergency_number="999", time_zone="Europe/London")
CES = intake(age=44, side="left", symptoms=[sym("low_back"), sym("posterior_calf")],
             findings={"saddle_sensory_change": True, "bladder_dysfunction": True, "slr": True})
CANCER = intake(age=70, side="right", symptoms=[sym("low_back"), sym("lateral_thigh")], sensory_loss=[],
                findings={"cancer_history": True, "slr": False})
RADICULAR = intake(side="left", symptoms=[sym("low_back"), sym("lateral_leg", "paraesthesia")],
                   findings={"slr": True, "crossed_slr": True}, sensory_loss=[{"region": "lateral_leg"}])
EASED = "repeated bending backwards eased your leg symptoms"


def patient() -> Patient:
    return Patient(id=1, chart_number="P000001", family_name="Müller", given_name="Zoë", date_of_birth=date(1950, 3, 7))


def sheet(data, **options) -> HepContent:
    engine = default_engine()
    assessment = engine.assess_json(data).to_json()
    return hep_content(patient=patient(), visit=None, assessment=assessment, clinic=CLINIC, paper="a4",
                       intake=parse_intake(data, engine.vocabulary), **options)


def test_an_emergency_prints_no_programme_but_where_to_go_what_to_say_and_bring():
    content = sheet(CES)
    assert default_engine().assess_json(CES).urgency == "emergency"
    assert content.items == ()
    pages = pages_text(render_hep(content))
    assert len(pages) == 1
    text = pages[0]
    assert "Go to the emergency department today" in text
    assert "What to tell them" in text and "What to bring" in text and "referral letter" in text
    assert "0117 555 0100" in text and "Emergency number: 999" in text
    for word in ("exercise programme", "How much", "Press-up", "next appointment so we can progress"):
        assert word not in text


def test_an_urgent_flag_puts_see_your_doctor_first_and_a_programme_only_when_confirmed():
    plain = sheet(CANCER)
    assert default_engine().assess_json(CANCER).urgency == "urgent"
    first = pages_text(render_hep(plain))[0]
    assert first.index("See your doctor within 24 hours") < first.index("When to seek help")
    assert plain.items == () and "How much" not in first
    assert "after your doctor has seen you" in first
    assert "Bring this sheet to your next appointment" not in first  # no programme to progress
    confirmed = sheet(CANCER, confirm_programme=True, prescription=[{"exercise": "bridge"}])
    assert confirmed.items
    text = all_text(render_hep(confirmed))
    assert "See your doctor within 24 hours" in text and "How much" in text


@pytest.mark.parametrize(("moved", "told"), [
    (None, False),
    ({"direction": "none_tested"}, False),
    ({"direction": "extension", "distal_symptoms": "centralised", "local_signs": "reduced"}, True),
    ({"direction": "extension", "distal_symptoms": "abolished", "local_signs": "abolished"}, True),
    ({"direction": "extension", "distal_symptoms": "peripheralised", "local_signs": "unchanged"}, False),
    ({"direction": "flexion", "distal_symptoms": "centralised", "local_signs": "reduced"}, False),
])
def test_sentences_about_the_patients_findings_print_only_when_recorded(moved, told):
    data = dict(RADICULAR, repeated_movements=moved) if moved else RADICULAR
    content = sheet(data, prescription=[{"exercise": "prone_press_up"}, {"exercise": "prone_lying"}])
    text = all_text(render_hep(content))
    assert (EASED in text) is told
    assert "the movement that eased your leg symptoms in clinic" not in text  # the old unconditional claim


def test_when_to_seek_help_is_on_page_one_and_every_row_names_the_number():
    pdf = render_hep(sheet(RADICULAR))
    first = pages_text(pdf)[0]
    assert "When to seek help" in first
    assert "Call 999 or go to the emergency department." in first
    assert first.count("Call us on 0117 555 0100.") == 2  # "call us today" and "call us"
    assert "Phone 0117 555 0100" in first  # the header, in body-size dark text


def test_body_text_is_at_least_12_point_and_large_print_at_least_14():
    assert styles()["body"].fontSize >= 12 and styles(True)["body"].fontSize >= 14
    step = load_library().exercises["prone_lying"].steps[0].split()[0]
    for large, least in ((False, 12), (True, 14)):
        sizes = text_sizes(render_hep(sheet(RADICULAR, large_print=large)))
        body = [size for text, size in sizes if text.startswith(step)]
        assert body and min(body) >= least
        help_rows = [size for text, size in sizes if "saddle" in text]
        assert help_rows and min(help_rows) >= least


def test_the_affected_side_next_appointment_and_pain_monitoring_with_its_source():
    text = all_text(render_hep(sheet(RADICULAR, next_appointment="Tuesday 9 December, 10:30")))
    assert "Your affected side: LEFT" in text
    assert "Your next appointment: Tuesday 9 December, 10:30" in text
    assert "While you exercise" in text and "[Long2004]" in text and "spread further down your leg" in text
    assert "dashed figure = start, solid figure = finish" in text
    assert "settles within an hour" not in text  # a figure no source gives


def test_six_exercises_fill_their_pages_and_the_first_holds_the_safety_net():
    content = sheet(RADICULAR)
    assert len(content.items) == 6
    pages = pages_text(render_hep(content))
    assert len(pages) <= 3
    names = [i.exercise.name for i in content.items]
    on_first_two = [n for n in names if n in pages[0] or n in pages[1]]
    assert len(on_first_two) >= 4


def test_start_and_end_positions_differ_in_line_style_not_only_in_shade():
    from ptassist.core.resources import resource_path

    for exercise in load_library().exercises.values():
        svg = resource_path("exercises", exercise.illustration).read_text(encoding="utf-8")
        if exercise.kind == "exercise" and "#6f8290" in svg:
            assert 'stroke-dasharray="7 5"' in svg, exercise.id
        assert "#c8d3dc" not in svg, exercise.id  # the pale grey that vanished in greyscale


def test_a_confirmed_urgent_sheet_without_exercises_says_none_are_chosen():
    from ptassist.core.sheets import NO_EXERCISES

    confirmed = sheet(CANCER, confirm_programme=True, prescription=[])
    assert confirmed.items == () and not confirmed.no_programme_note
    assert NO_EXERCISES in all_text(render_hep(confirmed))


def test_an_urgent_sheet_opens_with_its_box_under_a_one_line_header_that_never_cuts_the_phone():
    import dataclasses

    long_address = "Unit 4, The Old Mill Buildings, 12 Mill Lane, Bedminster, Bristol BS3 4AA, United Kingdom"
    clinic = dataclasses.replace(CLINIC, address=long_address)
    engine = default_engine()
    content = hep_content(patient=patient(), visit=None, assessment=engine.assess_json(CANCER).to_json(),
                          clinic=clinic, paper="a4", intake=parse_intake(CANCER, engine.vocabulary),
                          confirm_programme=True, prescription=[{"exercise": "bridge"}])
    first = pages_text(render_hep(content))[0]
    assert "Phone 0117 555 0100" in first and "Unit 4, The Old" in first and "…" in first
    assert "United Kingdom" not in first  # the address gives way, never the phone
    assert "Your home exercise programme" not in first  # the box comes first, in place of the title
    assert first.index("See your doctor within 24 hours") < first.index("For Zoë Müller")
    routine = pages_text(render_hep(sheet(RADICULAR)))[0]
    assert "Your home exercise programme" in routine and "12 Mill Lane, Bristol · Phone 0117 555 0100" in routine
