"""Names in every script show on screen, not as boxes: the Noto faces ptassist carries for its
sheets take part in Qt's font fallback (a fresh Linux machine may have DejaVu only)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontInfo, QImage, QPainter
from PySide6.QtWidgets import QApplication

from ptassist.ui.screen_fonts import register_screen_fonts

pytestmark = pytest.mark.gui

# One letter of each script a patient's name may be in (the sheets' scripts, tests/documents).
LETTERS = {"Korean": "김", "Hindi": "श", "Thai": "ส", "Arabic": "م", "Hebrew": "כ", "Chinese": "王",
           "Japanese": "さ", "Greek": "Ἀ", "Cyrillic": "Ж", "Vietnamese": "ễ", "emoji": "\U0001F3C3"}
NO_SUCH_CHARACTER = "\U0010FFFD"  # private use: no face has it, so it is drawn as the missing-glyph box


def _drawn(text: str) -> QImage:
    image = QImage(64, 64, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    font = QApplication.font()
    font.setPixelSize(40)
    painter.setFont(font)
    painter.drawText(image.rect(), Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    return image


def test_every_script_of_a_name_is_drawn_with_a_glyph_and_the_interface_font_stays(qtbot):
    interface = QFontInfo(QApplication.font()).family()
    families = register_screen_fonts()
    assert {"Noto Sans", "Noto Sans Arabic", "Noto Sans Devanagari", "Noto Sans Hebrew", "Noto Sans Thai",
            "Noto Emoji"} <= set(families)
    assert any(family.startswith("Noto Sans CJK") for family in families)
    assert QFontInfo(QApplication.font()).family() == interface  # only the fallback changed
    box = _drawn(NO_SUCH_CHARACTER)
    boxes = [script for script, letter in LETTERS.items() if _drawn(letter) == box]
    assert boxes == []
    assert register_screen_fonts() == families  # once
