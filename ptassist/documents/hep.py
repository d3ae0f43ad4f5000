"""The home-exercise programme: one unbreakable block per exercise, then advice and the safety net."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, ListFlowable, ListItem, Paragraph, Spacer, Table, TableStyle

from ptassist.core.exercises import PrescribedItem
from ptassist.core.sheets import NO_EXERCISES, HepContent, level_words
from ptassist.documents.illustrations import illustration
from ptassist.documents.layout import build_pdf, usable_width
from ptassist.documents.styles import RULE, URGENCY_COLOURS, styles
from ptassist.documents.text import rich

PICTURE_WIDTH = 62 * mm
LEVEL_COLOURS = {"emergency": "emergency", "today": "urgent", "soon": "routine"}


def _steps(texts: tuple[str, ...]) -> ListFlowable:
    s = styles()
    items: list[Any] = [ListItem(Paragraph(rich(t), s["step"]), leftIndent=16) for t in texts]
    return ListFlowable(
        items,
        bulletType="1", bulletFontName=s["body"].fontName, bulletFontSize=11, leftIndent=16, start="1",
    )


def exercise_block(item: PrescribedItem, paper: str, override_dir: Path | None) -> Flowable:
    """Picture beside name, purpose, numbered steps, dosage line and cautions; never split."""
    s = styles()
    exercise = item.exercise
    text: list[Flowable] = [Paragraph(rich(exercise.name), s["h3"]), Paragraph(rich(exercise.purpose), s["body"]),
                            _steps(exercise.steps)]
    dose = item.dosage_text
    if dose:
        text.append(Paragraph(rich(f"How much: {dose}"), s["dose"]))
    if item.notes:
        text.append(Paragraph(rich(f"Note from your therapist: {item.notes}"), s["body"]))
    for caution in exercise.cautions:
        text.append(Paragraph("<b>Caution:</b> " + rich(caution), s["caution"]))
    width = usable_width(paper)
    table = Table(
        [[illustration(exercise, PICTURE_WIDTH, override_dir), text]],
        colWidths=[PICTURE_WIDTH + 6 * mm, width - PICTURE_WIDTH - 6 * mm],
    )
    block_style: list[Any] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (0, 0), 6 * mm),
        ("LINEBELOW", (0, 0), (-1, -1), 0.6, RULE),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
        ("TOPPADDING", (0, 0), (-1, -1), 6),
    ]
    table.setStyle(TableStyle(block_style))
    return KeepTogether([table])


def hep_story(content: HepContent, override_dir: Path | None = None) -> list[Flowable]:
    s = styles()
    story: list[Flowable] = [
        Paragraph("Your home exercise programme", s["title"]),
        Paragraph(rich(f"For {content.meta.patient_name or 'you'}, {content.meta.date}"
                       + (f", from {content.meta.clinician}" if content.meta.clinician else "")), s["body"]),
        Spacer(1, 4 * mm),
    ]
    for item in content.items:
        story.append(exercise_block(item, content.meta.paper, override_dir))
    if not content.items:
        story.append(Paragraph(NO_EXERCISES, s["h2"]))
    if content.general_advice:
        advice: list[Flowable] = [Paragraph("General advice", s["h2"])]
        advice += [Paragraph("• " + rich(a), s["body"]) for a in content.general_advice]
        story.append(KeepTogether(advice))
    if content.seek_care:
        rows = [[Paragraph(f"<b>{level_words(c.level)}</b>", s["cell"]), Paragraph(rich(c.text), s["cell"])]
                for c in content.seek_care]
        table = Table(rows, colWidths=[32 * mm, usable_width(content.meta.paper) - 32 * mm])
        style: list[Any] = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("GRID", (0, 0), (-1, -1), 0.5, RULE),
                 ("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]
        for row, care in enumerate(content.seek_care):
            colour = URGENCY_COLOURS[LEVEL_COLOURS[care.level]]
            style.append(("LINEBEFORE", (0, row), (0, row), 4, colour))
        table.setStyle(TableStyle(style))
        story.append(KeepTogether([Paragraph("Seek care or call us if", s["h2"]), table]))
    return story


def render_hep(content: HepContent, override_dir: Path | None = None) -> bytes:
    """The programme as PDF bytes."""
    return build_pdf(content.meta, hep_story(content, override_dir))
