"""Reading PDFs back in tests."""

from __future__ import annotations

import io

from pypdf import PdfReader


def pages_text(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def all_text(pdf: bytes) -> str:
    return " ".join(pages_text(pdf))


def page_size(pdf: bytes) -> tuple[float, float]:
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    return float(box.width), float(box.height)


def font_names(pdf: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = page["/Resources"].get("/Font", {})
        for ref in fonts.values():
            names.add(str(ref.get_object()["/BaseFont"]))
    return names


def text_sizes(pdf: bytes) -> list[tuple[str, float]]:
    """Every piece of text on every page with the size it is set in (points)."""
    found: list[tuple[str, float]] = []
    for page in PdfReader(io.BytesIO(pdf)).pages:

        def visit(text, cm, tm, font, size):
            if text.strip():
                found.append((text.strip(), size * abs(tm[0]) * abs(cm[0] or 1)))

        page.extract_text(visitor_text=visit)
    return found


def footer_runs(pdf: bytes, below: float = 40.0) -> list[list[tuple[float, str]]]:
    """Per page, the (x, text) pieces drawn in the footer band (y below ``below`` points)."""
    pages = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        runs: list[tuple[float, str]] = []

        def visit(text, cm, tm, font, size, runs=runs):
            y = cm[5] + tm[5] * cm[3]
            if text.strip() and 0 < y < below:
                runs.append((cm[4] + tm[4] * cm[0], text))

        page.extract_text(visitor_text=visit)
        pages.append(runs)
    return pages


def drawn_glyphs(pdf: bytes) -> list[tuple[str, str, bool]]:
    """Every glyph drawn: (font, the Unicode text its ToUnicode entry gives, whether the embedded
    font's glyph is a real one), read from the content streams and the embedded TrueType fonts."""
    from fontTools.ttLib import TTFont
    from pypdf.generic import ContentStream

    reader = PdfReader(io.BytesIO(pdf))
    cache: dict[int, tuple[str, dict[int, str], dict[int, str], TTFont]] = {}

    def font_info(ref):
        key = ref.idnum
        if key not in cache:
            font = ref.get_object()
            data = font["/FontDescriptor"].get_object()["/FontFile2"].get_object().get_data()
            tt = TTFont(io.BytesIO(data))
            cmap = next(t.cmap for t in tt["cmap"].tables)
            unicode_map = _to_unicode(font["/ToUnicode"].get_object().get_data().decode("latin-1"))
            cache[key] = (str(font["/BaseFont"]), cmap, unicode_map, tt)
        return cache[key]

    out: list[tuple[str, str, bool]] = []
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]
        current = None
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"Tf":
                current = font_info(fonts.raw_get(operands[0]))
            elif operator in (b"Tj", b"TJ") and current is not None:
                strings = operands[0] if operator == b"TJ" else [operands[0]]
                for item in strings:
                    if isinstance(item, (int, float)) or not hasattr(item, "original_bytes"):
                        continue
                    name, cmap, unicode_map, tt = current
                    for code in item.original_bytes:
                        text = unicode_map.get(code, "")
                        # reportlab records U+0000 for a character the font did not have
                        out.append((name, text, text != "\x00" and _real_glyph(tt, cmap.get(code, ".notdef"))))
    return out


def _real_glyph(tt, name: str) -> bool:
    """False for .notdef, or for a glyph whose outline is the .notdef box (a missing character)."""
    if name == ".notdef":
        return False
    glyf = tt["glyf"]
    glyph, notdef = glyf[name], glyf[".notdef"]
    if notdef.numberOfContours == 0 or glyph.numberOfContours != notdef.numberOfContours:
        return True
    return list(glyph.getCoordinates(glyf)[0]) != list(notdef.getCoordinates(glyf)[0])


def _to_unicode(cmap_text: str) -> dict[int, str]:
    import re

    result: dict[int, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap_text, re.S):
        for src, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            # UTF-16 code units, or (reportlab, beyond the BMP) the code point in plain hex
            result[int(src, 16)] = (bytes.fromhex(dst).decode("utf-16-be", "replace") if len(dst) % 4 == 0
                                    else chr(int(dst, 16)))
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap_text, re.S):
        for lo, hi, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            start = int(dst, 16)
            for offset, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                result[code] = chr(start + offset)
    return result
