"""Paragraph styles shared by every sheet: calm, generous, body text at least 11 pt."""

from __future__ import annotations

from functools import cache

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle

from ptassist.documents.text import BODY, BOLD, register_fonts

INK = colors.HexColor("#1d2b36")
MUTED = colors.HexColor("#5b6b78")
ACCENT = colors.HexColor("#24465e")
RULE = colors.HexColor("#c8d3dc")
TINT = colors.HexColor("#eef3f6")
URGENCY_COLOURS = {
    "emergency": colors.HexColor("#b3261e"),
    "urgent": colors.HexColor("#b85c00"),
    "routine": colors.HexColor("#24465e"),
    "none": colors.HexColor("#24465e"),
}


@cache
def styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    body = ParagraphStyle("body", fontName=BODY, fontSize=11.5, leading=16, textColor=INK, spaceAfter=4)
    return {
        "body": body,
        "title": ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=18, leading=23, textColor=ACCENT,
                                spaceAfter=6),
        "h2": ParagraphStyle("h2", parent=body, fontName=BOLD, fontSize=14, leading=18, textColor=ACCENT,
                             spaceBefore=10, spaceAfter=4, keepWithNext=1),
        "h3": ParagraphStyle("h3", parent=body, fontName=BOLD, fontSize=13, leading=17, textColor=ACCENT,
                             spaceAfter=2),
        "step": ParagraphStyle("step", parent=body, leftIndent=16, bulletIndent=0, spaceAfter=2),
        "dose": ParagraphStyle("dose", parent=body, fontName=BOLD, textColor=ACCENT, backColor=TINT, borderPadding=4,
                               spaceBefore=4, spaceAfter=6),
        "caution": ParagraphStyle("caution", parent=body, textColor=colors.HexColor("#8a3b12")),
        "small": ParagraphStyle("small", parent=body, fontSize=9, leading=12, textColor=MUTED),
        "banner": ParagraphStyle("banner", parent=body, fontName=BOLD, fontSize=16, leading=20,
                                 textColor=colors.white),
        "cell": ParagraphStyle("cell", parent=body, fontSize=11, leading=14, spaceAfter=0),
    }
