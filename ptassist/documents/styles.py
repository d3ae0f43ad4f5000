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


@cache
def styles(large: bool = False) -> dict[str, ParagraphStyle]:
    """The sheet's styles; ``large`` scales every size for large print (body 14 pt)."""
    register_fonts()
    size = LARGE_BODY_SIZE if large else BODY_SIZE
    k = size / BODY_SIZE

    def pt(value: float) -> float:
        return round(value * k, 2)

    body = ParagraphStyle("body", fontName=BODY, fontSize=size, leading=pt(15.5), textColor=INK, spaceAfter=pt(2),
                          shaping=1, splitLongWords=0)
    return {
        "body": body,
        "title": ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=pt(20), leading=pt(25),
                                textColor=ACCENT, spaceAfter=pt(4)),
        "h2": ParagraphStyle("h2", parent=body, fontName=BOLD, fontSize=pt(15), leading=pt(19), textColor=ACCENT,
                             spaceBefore=pt(8), spaceAfter=pt(3), keepWithNext=1),
        "h3": ParagraphStyle("h3", parent=body, fontName=BOLD, fontSize=pt(14), leading=pt(18), textColor=ACCENT,
                             spaceAfter=pt(1)),
        "step": ParagraphStyle("step", parent=body, spaceAfter=pt(1)),
        "dose": ParagraphStyle("dose", parent=body, fontName=BOLD, textColor=ACCENT, backColor=TINT,
                               borderPadding=pt(3), spaceBefore=pt(3), spaceAfter=pt(4)),
        "caution": ParagraphStyle("caution", parent=body, textColor=colors.HexColor("#7a300c")),
        "small": ParagraphStyle("small", parent=body, fontSize=pt(10), leading=pt(13), textColor=MUTED),
        "banner": ParagraphStyle("banner", parent=body, fontName=BOLD, fontSize=pt(17), leading=pt(21),
                                 textColor=colors.white),
        "cell": ParagraphStyle("cell", parent=body, spaceAfter=0),
        # lines that carry a patient's name: a long name breaks after a hyphen, never mid-word
        "name": ParagraphStyle("name", parent=body, embeddedHyphenation=1),
        "box_title": ParagraphStyle("box_title", parent=body, fontName=BOLD, fontSize=pt(17), leading=pt(21),
                                    textColor=colors.white),
    }
