"""How the patient's sheet fills its pages: six exercises on two pages in normal print, no page
but the last mostly blank, drawings big enough, the safety net on page 1."""

from __future__ import annotations

import dataclasses
import io

import pytest
from pypdf import PdfReader
from reportlab.graphics.shapes import Rect
from reportlab.lib.units import mm

from ptassist.core.exercises import load_library
from ptassist.core.sheets import HepContent, hep_content
from ptassist.documents.hep import hep_story, lay_out_hep, picture_width
from ptassist.documents.illustrations import illustration
from ptassist.documents.layout import BOTTOM_MARGIN, lay_out, usable_height
from tests.documents.helpers import pages_text, text_sizes
from tests.documents.test_hep import CLINIC, RADICULAR, content_with, patient

EXERCISES = [e for e in load_library().exercises.values() if e.kind == "exercise"]
MOSTLY_BLANK = 0.4


def full_programme(count: int, paper: str, large: bool = False) -> HepContent:
    """``count`` exercises with everything a sheet can carry: the radicular safety net (the longest),
    the next appointment, the affected side, pain monitoring."""
    content = hep_content(patient=patient(), visit=None, assessment=RADICULAR, clinic=CLINIC, paper=paper,
                          prescription=[{"exercise": e.id} for e in EXERCISES[:count]], large_print=large,
                          next_appointment="Tuesday 9 December, 10:30")
    return dataclasses.replace(content, affected_side="left")


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


def test_the_default_radicular_programme_takes_two_a4_pages_with_the_safety_net_on_the_first():
    content = full_programme(6, "a4")
    default = hep_content(patient=patient(), visit=None, assessment=RADICULAR, clinic=CLINIC, paper="a4")
    content = dataclasses.replace(content, items=default.items)  # the programme the checklist suggests
    texts = pages_text(lay_out_hep(content).pdf)
    assert len(texts) == 2
    assert "When to seek help" in texts[0] and "Call 999" in texts[0]


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


def test_a_closer_layout_keeps_the_text_sizes():
    content = full_programme(6, "letter")
    step = EXERCISES[0].steps[0].split()[0]
    for dense in (False, True):
        sizes = text_sizes(lay_out(content.meta, hep_story(content, dense=dense)).pdf)
        body = [size for text, size in sizes if text.startswith(step)]
        assert body and min(body) >= 12


def _shapes(node):
    for child in getattr(node, "contents", []):
        yield child
        yield from _shapes(child)


def test_drawings_are_at_least_55_mm_wide_without_white_paper_and_keep_their_scale():
    meta = content_with(1).meta
    width = picture_width(meta)
    assert width >= 55 * mm and picture_width(with_large_print(content_with(1)).meta) >= width
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
