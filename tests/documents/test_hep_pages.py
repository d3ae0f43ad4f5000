"""How the patient's sheet fills its pages: any six exercises of the library on two pages in
normal print on A4 and Letter, no page but the last mostly blank, an exercise that runs on to the
next page says so, drawings big enough, the safety net on page 1."""

from __future__ import annotations

import dataclasses
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from reportlab.graphics.shapes import Rect
from reportlab.lib.units import mm

from ptassist.core.engine import default_engine
from ptassist.core.exercises import load_library
from ptassist.core.sheets import HepContent, hep_content
from ptassist.documents.hep import FITS, SMALL_PICTURE, Fit, lay_out_fit, lay_out_hep, picture_width
from ptassist.documents.illustrations import illustration
from ptassist.documents.layout import BOTTOM_MARGIN, usable_height
from tests.documents.helpers import pages_text, text_sizes
from tests.documents.test_hep import CLINIC, RADICULAR, content_with, exercises_follow_their_drawings, patient
from tests.documents.test_patient_sheet import CANCER

LIBRARY = list(load_library().exercises.values())
EXERCISES = [e for e in LIBRARY if e.kind == "exercise"]
MOSTLY_BLANK = 0.4
LONGEST = ("prone_press_up", "single_leg_squat", "side_lying_hip_abduction", "isometric_hip_abduction",
           "terminal_knee_extension", "supine_nerve_slider")  # the six tallest blocks (measured)
# the press-up and the lying nerve glide with four more long ones: the hardest six for an urgent
# Letter sheet (each brings pain monitoring of its own)
TALL_PAIR = ("prone_press_up", "terminal_knee_extension", "banded_lateral_walk", "supine_nerve_slider",
             "side_lying_hip_abduction", "isometric_hip_abduction")
SIX = st.lists(st.sampled_from([e.id for e in LIBRARY]), min_size=6, max_size=6, unique=True)
SOME_SIXES = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def full_programme(count: int, paper: str, large: bool = False) -> HepContent:
    """``count`` exercises with everything a sheet can carry: the radicular safety net (the longest),
    the next appointment, the affected side, pain monitoring."""
    content = hep_content(patient=patient(), visit=None, assessment=RADICULAR, clinic=CLINIC, paper=paper,
                          prescription=[{"exercise": e.id} for e in EXERCISES[:count]], large_print=large,
                          next_appointment="Tuesday 9 December, 10:30")
    return dataclasses.replace(content, affected_side="left")


def programme_of(ids, paper: str, large: bool = False) -> HepContent:
    """``full_programme`` with these exercises (library ids) in this order, and the pain monitoring
    that goes with them."""
    content = hep_content(patient=patient(), visit=None, assessment=RADICULAR, clinic=CLINIC, paper=paper,
                          prescription=[{"exercise": i} for i in ids], large_print=large,
                          next_appointment="Tuesday 9 December, 10:30")
    return dataclasses.replace(content, affected_side="left")


def urgent_programme(ids, paper: str, large: bool = False) -> HepContent:
    """An urgent visit (suspected cancer: "see your doctor within 24 hours") whose clinician confirmed
    a programme of these exercises, with the next appointment and the affected side."""
    assessment = default_engine().assess_json(CANCER).to_json()
    content = hep_content(patient=patient(), visit=None, assessment=assessment, clinic=CLINIC, paper=paper,
                          prescription=[{"exercise": i} for i in ids], confirm_programme=True, large_print=large,
                          next_appointment="Tuesday 9 December, 10:30")
    assert content.urgent is not None
    return dataclasses.replace(content, affected_side="right")


def with_large_print(content: HepContent) -> HepContent:
    return dataclasses.replace(content, meta=dataclasses.replace(content.meta, large_print=True))


@pytest.mark.parametrize("paper", ["a4", "letter"])
@pytest.mark.parametrize("count", range(1, 9))
def test_up_to_six_exercises_take_two_pages_and_eight_three(paper, count):
    most = 2 if count <= 6 else 3
    for content in (content_with(count, paper=paper), full_programme(count, paper)):
        laid = lay_out_hep(content)
        assert len(laid.fill) <= most, (content.meta.paper, count, laid.fill)
        assert len(pages_text(laid.pdf)) == len(laid.fill)


@pytest.mark.parametrize("paper", ["a4", "letter"])
@pytest.mark.parametrize("large", [False, True])
def test_no_page_but_the_last_is_mostly_blank(paper, large):
    for count in range(1, 9):
        for content in (content_with(count, paper=paper), full_programme(count, paper)):
            fill = lay_out_hep(with_large_print(content) if large else content).fill
            assert all(f >= 1 - MOSTLY_BLANK for f in fill[:-1]), (paper, large, count, fill)


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_the_default_radicular_programme_takes_two_pages_with_the_safety_net_on_the_first(paper):
    content = full_programme(6, paper)
    default = hep_content(patient=patient(), visit=None, assessment=RADICULAR, clinic=CLINIC, paper=paper)
    content = dataclasses.replace(content, items=default.items)  # the programme the checklist suggests
    assert len(content.items) == 6
    texts = pages_text(lay_out_hep(content).pdf)
    assert len(texts) == 2
    assert "When to seek help" in texts[0] and "Call 999" in texts[0] and "Your next appointment" in texts[0]


def _two_full_pages(content: HepContent) -> None:
    laid = lay_out_hep(content)
    assert len(laid.fill) <= 2, (content.meta.paper, [i.exercise.id for i in content.items], laid.fill)
    assert all(f >= 1 - MOSTLY_BLANK for f in laid.fill[:-1]), laid.fill
    first = pages_text(laid.pdf)[0]
    assert "When to seek help" in first and "Your next appointment" in first and "Call 999" in first
    exercises_follow_their_drawings(content, laid.pdf)


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_the_six_longest_exercises_take_two_pages_one_running_on(paper):
    content = programme_of(LONGEST, paper)
    _two_full_pages(content)
    if paper == "letter":  # the page ends inside an exercise: it says so
        assert exercises_follow_their_drawings(content, lay_out_hep(content).pdf) == 1


@SOME_SIXES
@given(six=SIX, paper=st.sampled_from(["a4", "letter"]))
def test_any_six_from_the_library_take_two_pages(six, paper):
    _two_full_pages(programme_of(six, paper))


def _urgent_first_page(content: HepContent, pdf: bytes) -> None:
    """Page 1 of an urgent sheet: the box at the very top, the clinic's name, address and phone, the
    next appointment, then "When to seek help" with the emergency number and the clinic's phone."""
    first = pages_text(pdf)[0]
    body = first.split("2026, ", 1)[-1]  # after the header
    assert body.index("See your doctor within 24 hours") < body.index("When to seek help"), body[:80]
    assert body.index("See your doctor within 24 hours") < 20  # nothing above the box but the header
    assert "Riverside Physiotherapy" in first and "12 Mill Lane, Bristol" in first and "Phone 0117 555 0100" in first
    assert "Your next appointment: Tuesday 9 December, 10:30" in first
    assert "Call 999 or go to the emergency department." in first and "Call us on 0117 555 0100." in first
    text = " ".join(pages_text(pdf))
    for guidance in content.pain_monitoring:  # the pain monitoring with its source
        assert f"[{guidance.source}]" in text and " ".join(guidance.text.split()[:5]) in text


def _two_urgent_pages(content: HepContent) -> None:
    laid = lay_out_hep(content)
    assert len(laid.fill) <= 2, (content.meta.paper, [i.exercise.id for i in content.items], laid.fill)
    assert all(f >= 1 - MOSTLY_BLANK for f in laid.fill[:-1]), laid.fill
    _urgent_first_page(content, laid.pdf)
    exercises_follow_their_drawings(content, laid.pdf)


@SOME_SIXES
@given(six=SIX, paper=st.sampled_from(["a4", "letter"]))
def test_an_urgent_sheet_with_any_six_confirmed_takes_two_pages(six, paper):
    _two_urgent_pages(urgent_programme(six, paper))


@pytest.mark.parametrize("paper", ["a4", "letter"])
@pytest.mark.parametrize("six", [LONGEST, TALL_PAIR])
def test_an_urgent_sheet_with_the_longest_six_takes_two_pages(paper, six):
    _two_urgent_pages(urgent_programme(six, paper))


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_an_urgent_sheet_in_large_print_takes_at_most_three_pages(paper):
    for six in (LONGEST, TALL_PAIR, [e.id for e in EXERCISES[:6]]):
        laid = lay_out_hep(urgent_programme(six, paper, large=True))
        assert len(laid.fill) <= 3, laid.fill
        assert all(f >= 1 - MOSTLY_BLANK for f in laid.fill[:-1]), laid.fill
        assert "See your doctor within 24 hours" in pages_text(laid.pdf)[0]


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_no_layout_leaves_a_page_with_only_the_continued_note(paper):
    # an exercise split where its first part filled the page to the last point used to push
    # "(continued on the next page)" alone on to a page of its own
    for content in (programme_of(LONGEST, paper), urgent_programme(LONGEST, paper)):
        for fit in FITS:
            laid = lay_out_fit(content, fit)
            assert min(laid.fill[:-1]) > 0.05, (fit, laid.fill)


def test_a_layout_is_tried_only_while_it_could_save_a_page():
    content = programme_of(LONGEST, "letter")
    tried = [len(lay_out_fit(content, fit).fill) for fit in FITS]
    assert tried[0] == 3 and min(tried) == 2  # the generous layout needs three pages, a closer one two
    assert len(lay_out_hep(content).fill) == 2
    short = content_with(2)
    assert len(lay_out_hep(short).fill) == 1


def _lowest_text(pdf: bytes) -> list[float]:
    """Per page, the lowest baseline of body text (above the footer band), in points from the bottom."""
    lowest = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        ys: list[float] = []

        def visit(text, cm, tm, font, size, ys=ys):
            y = cm[5] + tm[5] * cm[3]
            if text.strip() and "DRAFT" not in text and y > BOTTOM_MARGIN:
                ys.append(y)

        page.extract_text(visitor_text=visit)
        lowest.append(min(ys))
    return lowest


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_the_measured_fill_is_where_the_printed_text_ends(paper):
    content = full_programme(8, paper)
    laid = lay_out_hep(content)
    assert len(laid.fill) >= 2
    for number, (fill, lowest) in enumerate(zip(laid.fill, _lowest_text(laid.pdf), strict=True)):
        height = usable_height(paper, first=number == 0)
        text_end = BOTTOM_MARGIN + height * (1 - fill)  # where the layout says the content stops
        assert text_end - 1 <= lowest <= text_end + 30, (number, text_end, lowest)  # last baseline above it


@pytest.mark.parametrize("urgent", [False, True])
def test_a_closer_layout_keeps_the_text_sizes(urgent):
    content = urgent_programme(LONGEST, "letter") if urgent else full_programme(6, "letter")
    step = content.items[0].exercise.steps[0].split()[0]
    for fit in FITS:
        sizes = text_sizes(lay_out_fit(content, fit).pdf)
        body = [size for text, size in sizes if text.startswith(step)]
        assert body and min(body) >= 12, fit
        help_rows = [size for text, size in sizes if "saddle" in text or "steadily worse" in text]
        assert help_rows and min(help_rows) >= 12, fit


def _shapes(node):
    for child in getattr(node, "contents", []):
        yield child
        yield from _shapes(child)


def test_drawings_are_at_least_55_mm_wide_without_white_paper_and_keep_their_scale():
    meta = content_with(1).meta
    width = picture_width(meta)
    assert width >= 55 * mm and picture_width(with_large_print(content_with(1)).meta) >= width
    letter = content_with(1, paper="letter").meta
    assert picture_width(letter, Fit(small_drawings=True)) == SMALL_PICTURE >= 50 * mm  # the closest layout
    assert picture_width(meta, Fit(small_drawings=True)) == width  # on A4, never smaller
    heights = {}
    for exercise in EXERCISES:
        drawing = illustration(exercise, width)
        assert drawing.width == pytest.approx(width)
        group = drawing.contents[0]
        assert group.transform[0] == pytest.approx(width / 240.0)  # the bundled drawings are 240 units wide
        paper = [s for s in _shapes(group) if isinstance(s, Rect) and s.fillColor is not None
                 and (s.fillColor.red, s.fillColor.green, s.fillColor.blue) == (1, 1, 1)]
        assert not paper, exercise.id  # it would cover the text above the cut-off top
        assert any(isinstance(s, Rect) for s in _shapes(group)) or exercise.id != "bridge"  # the walk sees shapes
        heights[exercise.id] = drawing.height
    # a lying figure loses its empty top; a standing one keeps its full height
    assert heights["bridge"] < 0.6 * heights["hip_hike"]
    assert heights["hip_hike"] == pytest.approx(width * 150 / 240, rel=0.05)
