"""Every script prints: a face per run, HarfBuzz shaping, right-to-left order, no missing glyph."""

from __future__ import annotations

from datetime import date

import pytest
from bidi import get_display

from ptassist.core.engine import default_engine
from ptassist.core.records import ClinicSettings, Patient, Visit
from ptassist.core.sheets import display_name, hep_content, referral_content, summary_content
from ptassist.documents.hep import render_hep
from ptassist.documents.referral import render_referral
from ptassist.documents.summary import render_summary
from ptassist.documents.text import REPLACEMENT, face_for, isolate, pieces, rich
from tests.documents.helpers import drawn_glyphs, footer_runs, pages_text
from tests.documents.scripts import NAMES
from tests.helpers import intake, sym

CLINIC = ClinicSettings(name="Riverside Physiotherapy", address="12 Mill Lane, Bristol", phone="0117 555 0100",
                        emergency_number="112", time_zone="Europe/Berlin")
ITBS = intake(side="right", symptoms=[sym("lateral_knee")], findings={"noble_test": True})
ASSESSMENT = default_engine().assess_json(ITBS).to_json()
FACES = {"arabic": "NotoSansArabic", "hebrew": "NotoSansHebrew", "devanagari": "NotoSansDevanagari",
         "thai": "NotoSansThai", "chinese": "NotoSansCJK", "japanese": "NotoSansCJK", "katakana": "NotoSansCJK",
         "korean": "NotoSansCJK", "korean-rare": "NotoSansCJK", "emoji": "NotoEmoji"}


def patient(family: str, given: str) -> Patient:
    return Patient(id=1, chart_number="P000001", family_name=family, given_name=given, date_of_birth=date(1950, 3, 7),
                   address="1 Long Road")


def visit() -> Visit:
    return Visit(id=1, patient_id=1, visit_time="2026-12-01T20:34:00+00:00", kind="follow_up", status="signed",
                 version=2, intake=ITBS, assessment=ASSESSMENT, ruleset_version="1.0.0",
                 narrative={"subjective": "Läuft gut 🙂, \u200fשלום\u200f 42"}, signed_at="2026-12-01T21:00:00+00:00",
                 signed_by="Alex Carter", time_zone="Pacific/Auckland")


def sheets(who: Patient) -> list[bytes]:
    common = {"patient": who, "visit": visit(), "assessment": ASSESSMENT, "clinic": CLINIC, "paper": "a4"}
    return [render_hep(hep_content(**common)),
            render_referral(referral_content(**common, history=())),
            render_summary(summary_content(**common, history=()))]


def test_the_name_list_covers_at_least_fifteen_scripts():
    assert len(NAMES) >= 15


@pytest.mark.parametrize("script", sorted(NAMES))
def test_names_print_with_a_real_glyph_for_every_character(script):
    family, given = NAMES[script]
    for char in family + given:
        assert face_for(char), f"no bundled font has {char!r}"
    for pdf in sheets(patient(family, given)):
        glyphs = drawn_glyphs(pdf)
        assert all(real for _, _, real in glyphs), [g for g in glyphs if not g[2]][:5]
        assert not any(REPLACEMENT in text for _, text, _ in glyphs)
        if script in FACES:
            assert any(FACES[script] in font for font, _, _ in glyphs), script


def test_the_glyph_check_finds_a_missing_glyph():
    """The check above can fail: a run set in a face without the letters is caught."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    from ptassist.documents.text import coverage

    coverage("Hebrew")
    import io

    out = io.BytesIO()
    SimpleDocTemplate(out, initialFontName="PT-Latin").build(
        [Paragraph('<font name="PT-Hebrew">ab</font> ok', ParagraphStyle("x", fontName="PT-Latin"))])
    assert [real for _, _, real in drawn_glyphs(out.getvalue())] == [False, False, True, True, True]


def test_a_character_no_font_has_prints_as_the_replacement_character_not_a_box():
    assert pieces("a\U00013000b") == [("Latin", f"a{REPLACEMENT}b")]  # Egyptian hieroglyph A001


def _visual(text: str) -> str:
    """What a left-to-right line shows, reading the glyphs left to right (HarfBuzz lays a
    right-to-left run out reversed)."""
    out = []
    for _, chunk in pieces(text):
        rtl = any(ord(c) >= 0x0590 and ord(c) <= 0x08FF for c in chunk)
        out.append(chunk[::-1] if rtl else chunk)
    return "".join(out).replace("\u00a0", " ")


@pytest.mark.parametrize("text", [
    "For שרה כהן today",
    "Name: فاطمة الهاشمي, born 1950",
    "ID שרה 1234 כהן end",
    "abc שלום 123 עולם def",
    "(כהן) and (فاطمة)",
])
def test_right_to_left_order_agrees_with_the_unicode_bidi_algorithm(text):
    expected = get_display(text, base_dir="L")
    mirrored = str.maketrans("()", ")(")
    assert _visual(text).translate(mirrored) == expected or _visual(text) == expected


def test_a_name_is_isolated_so_the_text_after_it_keeps_its_order():
    shown = _visual(f"For {isolate('שרה כהן')}, 1 December")
    assert shown == "For ןהכ הרש, 1 December"


def test_user_text_with_markup_and_emoji_is_escaped_and_set_in_the_emoji_face():
    assert rich("<b>&") == "&lt;b&gt;&amp;"
    assert '<font name="PT-Emoji">🌟</font> Okafor' in rich("Chidi 🌟 Okafor")  # the space after it is Latin
    assert pieces("👍\U0001F3FD ok")[0] == ("Emoji", "👍\U0001F3FD")


def _allowed_pieces(text: str) -> set[str]:
    """Every piece a line may hold of ``text``: whole words, or runs of a word cut after hyphens."""
    allowed = set()
    for word in text.split():
        segments = word.replace("-", "-\n").split("\n")
        for i in range(len(segments)):
            for j in range(i + 1, len(segments) + 1):
                allowed.add("".join(segments[i:j]))
    return allowed


@pytest.mark.parametrize("width", [160, 200, 260])  # each hyphen-separated part fits these
def test_a_long_hyphenated_name_wraps_at_a_space_or_after_a_hyphen_never_mid_word(width):
    from reportlab.platypus import Paragraph

    from ptassist.documents.styles import styles

    text = "For Siobhán Ó Súilleabháin-Marjoribanks-Featherstonehaugh, 1 December 2026"
    para = Paragraph(rich(text), styles()["name"])
    para.wrap(width, 800)
    lines = [[getattr(w, "text", str(w)) for w in line.words] if hasattr(line, "words") else list(line[1])
             for line in para.blPara.lines]
    assert len(lines) > 1
    allowed = _allowed_pieces(text)
    for line in lines:
        for piece in " ".join(line).split():
            assert piece in allowed, (piece, lines)  # "Súilleabháin-Marjori" would fail here
    for line in para.blPara.lines:
        extra = line.extraSpace if hasattr(line, "extraSpace") else line[0]
        assert extra >= -0.5, lines  # no line runs past the width


def test_a_very_long_name_never_runs_into_page_x_of_y():
    from ptassist.documents.text import plain_width

    family = "Wolfeschlegelsteinhausenbergerdorff-Montgomery-Smythe"
    who = patient(family, "Hubert Blaine Alexander Zacharias")
    assert len(display_name(who)) > 44
    for pdf in sheets(who):
        for runs in footer_runs(pdf):
            left = [r for r in runs if r[0] < 100]
            right = [r for r in runs if "page" in r[1]]
            assert right, runs
            end_of_left = max(x + plain_width(t.strip(), 10) for x, t in left)
            assert end_of_left < right[0][0]
        assert "page 1 of" in pages_text(pdf)[0]
        assert "Montgomery-Smythe" in pages_text(pdf)[0]  # the whole family name, over two footer lines
