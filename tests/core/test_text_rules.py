"""The one text rule for record fields: what a single-line and a multi-line field may hold."""

from __future__ import annotations

import pytest

from ptassist.core.text_rules import text_problem
from ptassist.core.validation import ValidationError, clean_text


@pytest.mark.parametrize("text", ["Müller", "Zoë", "O'Connor", "Ἀθηνᾶ", "محمد", "王小明", "शर्मा",
                                  "می\u200cخواهم", "👩\u200d⚕️", "Dr. Ana Ruiz-Peña", ""])
def test_ordinary_text_in_any_script_is_allowed_on_one_line(text):
    assert text_problem(text) is None


@pytest.mark.parametrize(("text", "words"), [
    ("Smith\nJones", "must be a single line"),
    ("Smith\r", "must be a single line"),
    ("Smith\u2028", "must be a single line"),
    ("Smith\x00", "control characters (the first is U+0000)"),
    ("Smith\x1b[2J", "control characters (the first is U+001B)"),
    ("Smith\tJones", "control characters (the first is U+0009)"),
    ("evil\u202etxt.exe", "text-direction override (U+202E)"),
    ("a\u202ab", "text-direction override (U+202A)"),
    ("a\u2066b\u2069", "text-direction override (U+2066)"),
    ("a\u200bb", "invisible formatting character (U+200B)"),
    ("\ufeffSmith", "invisible formatting character (U+FEFF)"),
    ("M\udcfcller", "bytes that are not valid text"),
])
def test_single_line_fields_refuse_breaks_controls_and_invisible_characters(text, words):
    problem = text_problem(text)
    assert problem is not None and words in problem
    assert text not in problem  # the message never quotes the text


def test_multi_line_fields_keep_line_breaks_and_tabs_but_nothing_else():
    assert text_problem("Line one\nLine two\n\tindented", multiline=True) is None
    assert "control characters" in (text_problem("a\x00b", multiline=True) or "")
    assert "text-direction override" in (text_problem("a\u202eb", multiline=True) or "")
    assert "control characters (the first is U+000D)" in (text_problem("a\rb", multiline=True) or "")
    assert "formatting character (U+2028)" in (text_problem("a\u2028b", multiline=True) or "")


def test_clean_text_applies_the_rule_and_names_the_field():
    assert clean_text("  Okafor  ", "family_name") == "Okafor"
    assert clean_text("Plan:\n- walk", "plan", multiline=True) == "Plan:\n- walk"
    with pytest.raises(ValidationError, match="family_name: must be a single line"):
        clean_text("Okafor\n", "family_name")
