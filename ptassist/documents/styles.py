"""Paragraph styles shared by every sheet: calm and generous; body text 12 pt, 14 pt in large print."""

from __future__ import annotations

from functools import cache

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle

from ptassist.documents.text import BODY, BOLD, register_fonts

INK = colors.HexColor("#1d2b36")
MUTED = colors.HexColor("#4a5864")  # dark enough for 4.5:1 on white, also after greyscale printing
ACCENT = colors.HexColor("#24465e")
RULE = colors.HexColor("#9fb0bd")
TINT = colors.HexColor("#eef3f6")
URGENCY_COLOURS = {
    "emergency": colors.HexColor("#b3261e"),
    "urgent": colors.HexColor("#b85c00"),
    "routine": colors.HexColor("#24465e"),
    "none": colors.HexColor("#24465e"),
}
BODY_SIZE = 12.0
LARGE_BODY_SIZE = 14.0
DENSE_LEADING = 0.95


@cache
def styles(large: bool = False, dense: bool = False) -> dict[str, ParagraphStyle]:
    """The sheet's styles; ``large`` scales every size for large print (body 14 pt); ``dense`` keeps
    the sizes and sets lines and paragraphs a little closer (for a sheet that would otherwise leave
    a few lines alone on a last page)."""
    register_fonts()
    size = LARGE_BODY_SIZE if large else BODY_SIZE
    k = size / BODY_SIZE
    closer = DENSE_LEADING if dense else 1.0

    def pt(value: float) -> float:
        return round(value * k, 2)

    def gap(value: float) -> float:  # space between paragraphs
        return round(value * k * (0.5 if dense else 1.0), 2)

    def line(value: float) -> float:  # leading
        return round(value * k * closer, 2)

    body = ParagraphStyle("body", fontName=BODY, fontSize=size, leading=line(14), textColor=INK, spaceAfter=gap(1),
                          shaping=1, splitLongWords=0)
    return {
        "body": body,
        "title": ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=pt(19), leading=line(23),
                                textColor=ACCENT, spaceAfter=gap(2)),
        "h2": ParagraphStyle("h2", parent=body, fontName=BOLD, fontSize=pt(15), leading=line(18), textColor=ACCENT,
                             spaceBefore=gap(6), spaceAfter=gap(2), keepWithNext=1),
        "h3": ParagraphStyle("h3", parent=body, fontName=BOLD, fontSize=pt(13.5), leading=line(16), textColor=ACCENT,
                             spaceAfter=gap(1)),
        # an exercise's name (a heading run inside) and, on the next line, what it is for
        "exercise": ParagraphStyle("exercise", parent=body, leading=line(14.5), spaceAfter=gap(1)),
        "step": ParagraphStyle("step", parent=body, spaceAfter=gap(0.5)),
        # the general advice as one paragraph after its name (the closest layout), a little apart
        "advice": ParagraphStyle("advice", parent=body, spaceBefore=gap(4)),
        # a numbered step of an exercise: the number hangs in the margin of its own paragraph
        "numbered": ParagraphStyle("numbered", parent=body, spaceAfter=gap(0.5), leftIndent=pt(16), bulletIndent=0,
                                   bulletFontName=BODY, bulletFontSize=size),
        "dose": ParagraphStyle("dose", parent=body, fontName=BOLD, textColor=ACCENT, backColor=TINT,
                               borderPadding=pt(2), spaceBefore=gap(1), spaceAfter=gap(2.5)),
        # an exercise that runs on to the next page: the marker under its first part, the name above the rest
        "continues": ParagraphStyle("continues", parent=body, textColor=MUTED),
        "continued": ParagraphStyle("continued", parent=body, leading=line(16), spaceAfter=gap(1), keepWithNext=1),
        "caution": ParagraphStyle("caution", parent=body, textColor=colors.HexColor("#7a300c")),
        "small": ParagraphStyle("small", parent=body, fontSize=pt(10), leading=line(13), textColor=MUTED),
        "banner": ParagraphStyle("banner", parent=body, fontName=BOLD, fontSize=pt(17), leading=line(21),
                                 textColor=colors.white),
        "cell": ParagraphStyle("cell", parent=body, spaceAfter=0),
        "cell_bullet": ParagraphStyle("cell_bullet", parent=body, spaceAfter=0, leftIndent=pt(11), bulletIndent=pt(1),
                                      bulletFontName=BODY, bulletFontSize=size),
        # lines that carry a patient's name: a long name breaks after a hyphen, never mid-word
        "name": ParagraphStyle("name", parent=body, embeddedHyphenation=1),
        # the urgent box's title, in two lines beside its text
        "urgent_title": ParagraphStyle("urgent_title", parent=body, fontName=BOLD, fontSize=pt(15), leading=line(18),
                                       textColor=colors.white),
        "box_title": ParagraphStyle("box_title", parent=body, fontName=BOLD, fontSize=pt(17), leading=line(21),
                                    textColor=colors.white),
    }
