"""Fonts and safe text for reportlab.

User text is escaped before it reaches reportlab's paragraph markup (so ``<b>`` or ``&`` print as
typed), and each character is set in the first bundled font that has it: DejaVu Sans for Latin,
Greek, Cyrillic and more, Droid Sans Fallback for Chinese and Japanese. A character that no
bundled font has is printed as U+FFFD rather than as an empty box.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import as_file
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from ptassist.core.resources import resource_path

BODY = "PTSans"
BOLD = "PTSans-Bold"
FALLBACK = "PTFallback"
REPLACEMENT = "\ufffd"
FONT_FILES = {BODY: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf", FALLBACK: "DroidSansFallbackFull.ttf"}


@cache
def register_fonts() -> dict[str, frozenset[int]]:
    """Register the bundled fonts once; returns the code points each covers."""
    coverage: dict[str, frozenset[int]] = {}
    for name, filename in FONT_FILES.items():
        with as_file(resource_path("fonts", filename)) as path:
            font = TTFont(name, str(path))
        pdfmetrics.registerFont(font)
        coverage[name] = frozenset(font.face.charToGlyph)
    pdfmetrics.registerFontFamily(BODY, normal=BODY, bold=BOLD, italic=BODY, boldItalic=BOLD)
    pdfmetrics.registerFontFamily(FALLBACK, normal=FALLBACK, bold=FALLBACK, italic=FALLBACK, boldItalic=FALLBACK)
    return coverage


def font_for(char: str) -> str:
    """The bundled font that should print ``char`` (BODY for what nothing covers: it has U+FFFD)."""
    coverage = register_fonts()
    point = ord(char)
    if point in coverage[BODY] or char in "\n\t ":
        return BODY
    if point in coverage[FALLBACK]:
        return FALLBACK
    return ""


def runs(text: str) -> list[tuple[str, str]]:
    """Split text into (font, text) runs; characters no font has become U+FFFD in BODY."""
    result: list[tuple[str, str]] = []
    for original in text:
        font, char = font_for(original), original
        if not font:
            font, char = BODY, REPLACEMENT
        if result and result[-1][0] == font:
            result[-1] = (font, result[-1][1] + char)
        else:
            result.append((font, char))
    return result


def rich(text: str | None) -> str:
    """User text as safe paragraph markup with per-glyph font fallback; newlines become breaks."""
    if not text:
        return ""
    out = []
    for font, chunk in runs(text):
        safe = escape(chunk).replace("\n", "<br/>")
        out.append(safe if font == BODY else f'<font name="{font}">{safe}</font>')
    return "".join(out)


def plain_width(text: str, size: float, bold: bool = False) -> float:
    """Width of text drawn directly on the canvas (headers and footers), with fallback fonts."""
    total = 0.0
    for font, chunk in runs(text):
        name = BOLD if bold and font == BODY else font
        total += pdfmetrics.stringWidth(chunk, name, size)
    return total


def draw_text(canvas: object, x: float, y: float, text: str, size: float, bold: bool = False,
              align: str = "left") -> None:
    """Draw one line of user text on a canvas, switching fonts per glyph."""
    if align == "right":
        x -= plain_width(text, size, bold)
    elif align == "centre":
        x -= plain_width(text, size, bold) / 2
    for font, chunk in runs(text):
        name = BOLD if bold and font == BODY else font
        canvas.setFont(name, size)  # type: ignore[attr-defined]
        canvas.drawString(x, y, chunk)  # type: ignore[attr-defined]
        x += pdfmetrics.stringWidth(chunk, name, size)
