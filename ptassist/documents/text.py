"""Every piece of text on a sheet goes through here: font per run, shaping, direction, escaping.

* **Font runs.** Each character is set in the bundled Noto face for its script (Latin, Greek and
  Cyrillic in Noto Sans; Arabic, Hebrew, Devanagari, Thai; Han, kana and Hangul in the Noto Sans
  CJK cut; emoji in monochrome Noto Emoji). Spaces, punctuation, digits and combining marks stay
  in the font of the run they sit in when that font has them, so a word is one run and shapes as
  one. A font is read from disk only when a sheet first needs it.
* **Shaping.** Every font is registered as shapable, so reportlab hands each run to HarfBuzz
  (uharfbuzz): Arabic joins, Devanagari and Thai marks and conjuncts are placed.
* **Direction.** Sheets are left-to-right paragraphs. A right-to-left stretch (Arabic, Hebrew,
  with any numbers inside it) is found with the Unicode bidi rules for a left-to-right paragraph
  (UAX #9: strong classes, W7 and N1 for numbers and neutrals) and becomes one unbreakable word
  that HarfBuzz shapes right to left, so its letters and words read in the right order. Numbers
  inside it are pre-reversed so that they still read left to right.
* **Escaping.** User text is escaped before it reaches reportlab's markup, so ``<b>`` or ``&`` in
  a note print as typed. A character no bundled font has prints as U+FFFD (never as a box).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from html import escape  # (xml.sax.saxutils would import urllib.request, http and e-mail)
from importlib.resources import as_file
from typing import Any

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from ptassist.core.resources import resource_path

REPLACEMENT = "\ufffd"
NBSP = "\u00a0"
FSI, PDI = "\u2068", "\u2069"


@dataclass(frozen=True)
class Face:
    """One bundled typeface: its regular and bold files (the same file when there is no bold)."""

    key: str
    regular: str
    bold: str

    @property
    def name(self) -> str:
        return f"PT-{self.key}"

    @property
    def bold_name(self) -> str:
        return f"PT-{self.key}-Bold" if self.bold != self.regular else self.name


LATIN = Face("Latin", "NotoSans-Regular.ttf", "NotoSans-Bold.ttf")
FACES = {
    face.key: face
    for face in (
        LATIN,
        Face("Arabic", "NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf"),
        Face("Hebrew", "NotoSansHebrew-Regular.ttf", "NotoSansHebrew-Bold.ttf"),
        Face("Devanagari", "NotoSansDevanagari-Regular.ttf", "NotoSansDevanagari-Bold.ttf"),
        Face("Thai", "NotoSansThai-Regular.ttf", "NotoSansThai-Bold.ttf"),
        Face("CJK", "NotoSansCJK-Subset.ttf", "NotoSansCJK-Subset.ttf"),
        Face("Math", "NotoSansMath-Subset.ttf", "NotoSansMath-Subset.ttf"),
        Face("Symbols", "NotoSansSymbols2-Subset.ttf", "NotoSansSymbols2-Subset.ttf"),
        Face("Emoji", "NotoEmoji-Regular.ttf", "NotoEmoji-Regular.ttf"),
    )
}
BODY = LATIN.name
BOLD = LATIN.bold_name
PLAIN_FONTS = {BODY, BOLD}

# Unicode blocks that decide a character's face (anything else: Latin, then the symbol faces).
SCRIPT_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0590, 0x05FF, "Hebrew"), (0xFB1D, 0xFB4F, "Hebrew"),
    (0x0600, 0x06FF, "Arabic"), (0x0750, 0x077F, "Arabic"), (0x0870, 0x08FF, "Arabic"),
    (0xFB50, 0xFDFF, "Arabic"), (0xFE70, 0xFEFF, "Arabic"),
    (0x0900, 0x097F, "Devanagari"), (0xA8E0, 0xA8FF, "Devanagari"), (0x1CD0, 0x1CFF, "Devanagari"),
    (0x0E00, 0x0E7F, "Thai"),
    (0x1100, 0x11FF, "CJK"), (0x2E80, 0x2FDF, "CJK"), (0x3000, 0x9FFF, "CJK"), (0xA960, 0xA97F, "CJK"),
    (0xAC00, 0xD7FF, "CJK"), (0xF900, 0xFAFF, "CJK"), (0xFF00, 0xFFEF, "CJK"), (0x20000, 0x3FFFF, "CJK"),
    (0x1F000, 0x1FAFF, "Emoji"), (0x2600, 0x27BF, "Emoji"), (0x2B00, 0x2BFF, "Emoji"),
)
# Characters that belong to whatever run they sit in (zero-width joiners, variation selectors).
JOINERS = {0x200C, 0x200D, 0xFE0E, 0xFE0F}
RTL_CLASSES = {"R", "AL"}
MIRRORED = str.maketrans("()[]{}<>«»", ")(][}{><»«")
NUMBER_CLASSES = {"EN", "AN"}
SHORT_RTL = 40  # longer right-to-left stretches may wrap, so their words stay breakable
# HarfBuzz features: kerning, but no optional Latin ligatures ("ﬁ" would not be found by a search or
# read by a screen reader as "fi"). Arabic joining and Indic conjuncts use required features.
FEATURES = {"kern": True, "liga": False, "dlig": False}


def _register(face: Face) -> None:
    for name, filename in ((face.name, face.regular), (face.bold_name, face.bold)):
        if name in pdfmetrics.getRegisteredFontNames():
            continue
        with as_file(resource_path("fonts", filename)) as path:
            font = TTFont(name, str(path), shapable=True)
        _fix_private_codes(font)
        pdfmetrics.registerFont(font)
    pdfmetrics.registerFontFamily(face.name, normal=face.name, bold=face.bold_name, italic=face.name,
                                  boldItalic=face.bold_name)


def _fix_private_codes(font: Any) -> None:
    """Give every glyph that has no character (Arabic joining forms, Devanagari conjuncts) its
    private-use code now, in glyph order. reportlab hands these out as shaping first meets each
    glyph, for the life of the process, and writes them into the PDF: a sheet printed after other
    sheets would then not be byte-identical to the same sheet printed first."""
    hb_font = font.hbFont(10)
    face = font.face
    mapped = set(face.glyphToChar)
    for gid in range(1, face.numGlyphs):
        if gid not in mapped:
            font.hbAddPrivate(hb_font.glyph_to_string(gid), gid, hb_font.get_glyph_h_advance(gid))


@cache
def coverage(key: str) -> frozenset[int]:
    """The code points the face ``key`` has (reads and registers the font on first use)."""
    face = FACES[key]
    _register(face)
    font = pdfmetrics.getFont(face.name)
    return frozenset(font.face.charToGlyph)  # type: ignore[attr-defined]


def register_fonts() -> None:
    """Register the body face (every sheet needs it); other faces register when first used.

    Drawings (illustrations, charts) and table cells start in the body face too: reportlab
    defaults them to Helvetica, which would be referenced in the PDF without being embedded."""
    coverage(LATIN.key)
    from reportlab.graphics import shapes
    from reportlab.platypus import tables

    shapes.STATE_DEFAULTS["fontName"] = BODY
    tables.CellStyle.fontname = BODY
    _shape_each_font_apart()


def _shape_each_font_apart() -> None:
    """reportlab shapes a word (text between spaces) in one HarfBuzz buffer with the font of its
    first run, so a Hebrew name followed by a Latin comma would get Hebrew glyph ids for the comma.
    Shape each same-font run of a word on its own instead, keeping their order."""
    from reportlab.pdfbase import ttfonts
    from reportlab.platypus import paragraph

    para: Any = paragraph
    original = ttfonts.shapeFragWord
    if getattr(para.shapeFragWord, "__ptassist__", False):
        return

    def shape_by_font(word: Any, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("features", FEATURES)
        if len(word) == 2 and word[1][0].fontName in PLAIN_FONTS and word[1][1].isascii():
            return word  # plain English needs no shaping (kerning aside): most words of a sheet
        if isinstance(word, ttfonts.ShapedFragWord) or len(word) <= 2:
            return original(word, *args, **kwargs)
        parts = word[1:]
        if any(hasattr(f, "cbDefn") for f, _ in parts) or len({f.fontName for f, _ in parts}) == 1:
            return original(word, *args, **kwargs)
        groups: list[list[Any]] = []
        for frag, chunk in parts:
            if groups and groups[-1][0][0].fontName == frag.fontName:
                groups[-1].append((frag, chunk))
            else:
                groups.append([(frag, chunk)])
        total = 0.0
        shaped_parts: list[Any] = []
        for group in groups:
            width = sum(pdfmetrics.stringWidth(c, f.fontName, f.fontSize) for f, c in group)
            shaped = original([width, *group], features=FEATURES, force=True)
            total += shaped[0]
            shaped_parts += shaped[1:]
        return ttfonts.makeShapedFragWord(word)([total, *shaped_parts])

    shape_by_font.__ptassist__ = True  # type: ignore[attr-defined]
    para.shapeFragWord = shape_by_font


def script_face(char: str) -> str | None:
    """The face a character's script calls for, or None for Latin, symbols and neutrals."""
    point = ord(char)
    for start, end, key in SCRIPT_RANGES:
        if start <= point <= end:
            return key
    return None


def _is_neutral(char: str) -> bool:
    if ord(char) in JOINERS:
        return True
    category = unicodedata.category(char)
    return category[0] in "ZPMN" or category in ("Sm", "Sc", "Sk", "Cc", "Cf")


def face_for(char: str, current: str | None = None) -> str:
    """The face that prints ``char``; ``current`` is the run it sits in (kept for neutrals)."""
    if char in "\n\t":
        return current or LATIN.key
    keeps = current != "Emoji" or ord(char) in JOINERS
    if current is not None and keeps and _is_neutral(char) and ord(char) in coverage(current):
        return current  # (Noto Emoji's space is an em wide: text after an emoji goes back to Latin)
    wanted = script_face(char)
    for key in (wanted, LATIN.key, "Math", "Symbols", "Emoji"):
        if key is not None and ord(char) in coverage(key):
            return key
    return ""


# Text of printable ASCII (and line breaks, tabs): one Latin run, left to right, as the rules
# below would find character by character (most of every sheet; the check is one regex match).
PLAIN_ASCII = re.compile("[ -~\n\t]*")


@cache
def _latin_has_ascii() -> bool:
    return all(ord(char) in coverage(LATIN.key) for char in map(chr, range(0x20, 0x7F)))


def _plain(text: str) -> bool:
    return PLAIN_ASCII.fullmatch(text) is not None and _latin_has_ascii()


def runs(text: str) -> list[tuple[str, str]]:
    """Split text into (face key, text) runs; characters no face has become U+FFFD in Latin."""
    if _plain(text):
        return [(LATIN.key, text)] if text else []
    result: list[tuple[str, str]] = []
    current: str | None = None
    for original in text:
        key, char = face_for(original, current), original
        if not key and unicodedata.category(original) == "Cf":
            continue  # an invisible format mark (LRM, RLM, ...) no face draws: its work is done
        if not key:
            key, char = LATIN.key, REPLACEMENT
        if result and result[-1][0] == key:
            result[-1] = (key, result[-1][1] + char)
        else:
            result.append((key, char))
        current = key
    return result


def font_for(char: str) -> str:
    """The registered font name that prints ``char`` ("" when no bundled font has it)."""
    key = face_for(char)
    return FACES[key].name if key else ""


# ---------------------------------------------------------------------------- direction


def rtl_spans(text: str) -> list[tuple[int, int]]:
    """The right-to-left stretches of a left-to-right paragraph, as (start, end) indices.

    A stretch starts at a strong right-to-left letter and runs to the last right-to-left letter
    or number before a left-to-right letter or a paragraph break: the characters that UAX #9
    gives an odd or raised level there (W7 keeps a number after Latin text left to right; N1
    gives the spaces between right-to-left words, and before a following number, their level).
    """
    spans: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        if unicodedata.bidirectional(text[i]) not in RTL_CLASSES:
            i += 1
            continue
        start = end = i
        j = i
        while j < n:
            kind = unicodedata.bidirectional(text[j])
            if kind in ("L", "B", "S"):
                break
            if kind in RTL_CLASSES or kind in NUMBER_CLASSES or (kind == "NSM" and j == end):
                end = j + 1
            j += 1
        spans.append((start, end))
        i = end
    return spans


def _numbers_pre_reversed(stretch: str) -> str:
    """Reverse each number inside a right-to-left stretch, so that HarfBuzz's right-to-left
    output shows it left to right (UAX #9 level 2 inside level 1). Separators (1,5 or 10.5) belong
    to a number only between its digits."""
    out: list[str] = []
    number: list[str] = []

    def flush() -> None:
        trailing: list[str] = []
        while number and unicodedata.bidirectional(number[-1]) not in NUMBER_CLASSES:
            trailing.insert(0, number.pop())
        out.extend(reversed(number))
        out.extend(trailing)
        number.clear()

    for char in stretch:
        kind = unicodedata.bidirectional(char)
        if kind in NUMBER_CLASSES or (number and kind in ("CS", "ES", "ET")):
            number.append(char)
            continue
        flush()
        out.append(char)
    flush()
    return "".join(out)


def _island_pieces(stretch: str) -> list[tuple[str, str]]:
    """A right-to-left stretch as (face, text) runs in the order they are set on a left-to-right
    line: the runs in reverse order, each shaped right to left by HarfBuzz (numbers inside a run
    pre-reversed so they still read left to right). Short stretches keep their spaces unbreakable
    so the whole stretch stays on one line; long ones may wrap between words."""
    joined = stretch.replace(" ", NBSP) if len(stretch) <= SHORT_RTL else stretch
    out = []
    for key, chunk in reversed(runs(joined)):
        prepared = _numbers_pre_reversed(chunk)
        if not _is_rtl(chunk):  # HarfBuzz sets this run left to right: reverse it here, mirrored
            prepared = prepared[::-1].translate(MIRRORED)
        out.append((key, prepared))
    return out


def isolate(text: str | None) -> str:
    """Mark user text (a name, a note) as a unit of its own for the bidi rules (U+2068 ... U+2069),
    so a right-to-left name does not pull the comma and date after it into its stretch."""
    return f"{FSI}{text}{PDI}" if text else ""


def _segments(text: str) -> list[str]:
    """Text split at isolate marks (which are dropped): each piece is resolved on its own."""
    out: list[str] = []
    current: list[str] = []
    for char in text:
        if char in (FSI, PDI):
            out.append("".join(current))
            current = []
        else:
            current.append(char)
    out.append("".join(current))
    return [piece for piece in out if piece]


def _nbsp_where_covered(pieces: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """A face without U+00A0 gets plain spaces back (the stretch then breaks like text)."""
    return [(key, chunk if NBSP in chunk and ord(NBSP) in coverage(key) else chunk.replace(NBSP, " "))
            for key, chunk in pieces]


def pieces(text: str) -> list[tuple[str, str]]:
    """(face key, text) runs in the order they are set on a left-to-right line."""
    if _plain(text):
        return runs(text)
    result: list[tuple[str, str]] = []
    for segment in _segments(text):
        last = 0
        for start, end in rtl_spans(segment):
            result += runs(segment[last:start])
            result += _island_pieces(segment[start:end])
            last = end
        result += runs(segment[last:])
    merged: list[tuple[str, str]] = []
    for key, chunk in _nbsp_where_covered(result):
        if merged and merged[-1][0] == key and not _is_rtl(chunk) and not _is_rtl(merged[-1][1]):
            merged[-1] = (key, merged[-1][1] + chunk)
        else:
            merged.append((key, chunk))
    return merged


def _is_rtl(chunk: str) -> bool:
    return any(unicodedata.bidirectional(c) in RTL_CLASSES for c in chunk)


# ---------------------------------------------------------------------------- output


def rich(text: str | None, bold: bool = False) -> str:
    """User text as safe paragraph markup, one ``<font>`` per run; newlines become breaks."""
    if not text:
        return ""
    out = []
    for key, chunk in pieces(text):
        safe = escape(chunk, quote=False).replace("\n", "<br/>")
        face = FACES[key]
        if key == LATIN.key:
            out.append(safe)
        else:
            out.append(f'<font name="{face.bold_name if bold else face.name}">{safe}</font>')
    return "".join(out)


def _font_name(key: str, bold: bool) -> str:
    face = FACES[key]
    return face.bold_name if bold else face.name


def _shaped(chunk: str, font_name: str, size: float) -> Any:
    """One run shaped by HarfBuzz (a reportlab ShapedStr the canvas draws glyph by glyph)."""
    from reportlab.lib.abag import ABag
    from reportlab.pdfbase.ttfonts import shapeFragWord

    word = [pdfmetrics.stringWidth(chunk, font_name, size), (ABag(fontName=font_name, fontSize=size), chunk)]
    return shapeFragWord(word, features=FEATURES)[1][1]


def shaped_width(chunk: str, font_name: str, size: float) -> float:
    """The advance of one run as HarfBuzz shapes it (what the canvas will draw)."""
    shaped = _shaped(chunk, font_name, size)
    data = getattr(shaped, "__shapeData__", None)
    if data:
        return float(sum(d.x_advance for d in data) * size / 1000)
    return float(pdfmetrics.stringWidth(chunk, font_name, size))


def plain_width(text: str, size: float, bold: bool = False) -> float:
    """Width of one line drawn directly on the canvas (headers and footers)."""
    return sum(shaped_width(chunk, _font_name(key, bold), size) for key, chunk in pieces(text))


def fit(text: str, size: float, width: float, bold: bool = False) -> str:
    """``text`` cut at a word (with an ellipsis) so it fits ``width`` points on one line."""
    if plain_width(text, size, bold) <= width:
        return text
    words = text.split(" ")
    while len(words) > 1:
        words.pop()
        candidate = " ".join(words) + " …"
        if plain_width(candidate, size, bold) <= width:
            return candidate
    while text and plain_width(text + "…", size, bold) > width:
        text = text[:-1]
    return text + "…"


def wrap_lines(text: str, size: float, width: float, max_lines: int = 2, bold: bool = False) -> list[str]:
    """``text`` broken at spaces and after hyphens into lines of ``width`` points; the last line
    that still does not fit is cut with an ellipsis (never mid-word unless a word alone is wider)."""
    import re

    words = [w for w in re.split(r"(?<=-)|(?= )", text) if w]
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = current + word
        if current and plain_width(candidate.strip(), size, bold) > width and len(lines) < max_lines - 1:
            lines.append(current.strip())
            current = word.lstrip()
        else:
            current = candidate
    lines.append(fit(current.strip(), size, width, bold))
    return lines


def draw_text(canvas: object, x: float, y: float, text: str, size: float, bold: bool = False,
              align: str = "left") -> None:
    """Draw one line of user text on a canvas: font per run, shaped, right-to-left runs in order."""
    if align == "right":
        x -= plain_width(text, size, bold)
    elif align == "centre":
        x -= plain_width(text, size, bold) / 2
    for key, chunk in pieces(text):
        name = _font_name(key, bold)
        canvas.setFont(name, size)  # type: ignore[attr-defined]
        canvas.drawString(x, y, _shaped(chunk, name, size))  # type: ignore[attr-defined]
        x += shaped_width(chunk, name, size)
