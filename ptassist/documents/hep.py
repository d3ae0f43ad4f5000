"""The patient's sheet: for an emergency, where to go today; otherwise "when to seek help" on the
first page, then one unbreakable block per exercise, pain monitoring and advice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, ListFlowable, ListItem, Paragraph, Spacer, Table, TableStyle

from ptassist.core.exercises import PrescribedItem
from ptassist.core.sheets import NO_EXERCISES, HepContent, SheetMeta, level_words
from ptassist.documents.illustrations import illustration
from ptassist.documents.layout import build_pdf, usable_width
from ptassist.documents.styles import RULE, TINT, URGENCY_COLOURS, styles
from ptassist.documents.text import isolate, rich

PICTURE_WIDTH = 72 * mm
LEVEL_COLOURS = {"emergency": "emergency", "today": "urgent", "soon": "routine"}


def _s(meta: SheetMeta) -> dict[str, Any]:
    return styles(meta.large_print)


def _bullets(texts: tuple[str, ...] | list[str], meta: SheetMeta, numbered: bool = False) -> ListFlowable:
    s = _s(meta)
    indent = s["body"].fontSize * 1.2
    items: list[Any] = [ListItem(Paragraph(rich(t), s["step"]), leftIndent=indent) for t in texts]
    options: dict[str, Any] = {"bulletType": "1", "start": "1"} if numbered else {"bulletType": "bullet",
                                                                                 "start": "•"}
    return ListFlowable(items, bulletFontName=s["body"].fontName, bulletFontSize=s["body"].fontSize,
                        leftIndent=indent, bulletDedent=indent, **options)


def _box(rows: list[list[Any]], width: float, colour: colors.Color) -> Table:
    table = Table(rows, colWidths=[width])
    table.setStyle(TableStyle([("BACKGROUND", (0, 0), (0, 0), colour), ("BOX", (0, 0), (-1, -1), 2, colour),
                               ("TOPPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
                               ("LEFTPADDING", (0, 0), (-1, -1), 9), ("RIGHTPADDING", (0, 0), (-1, -1), 9)]))
    return table


def call_line(level: str, meta: SheetMeta) -> str:
    """Which number to ring for a row of the safety net: the emergency number, or the clinic."""
    clinic = meta.clinic
    if level == "emergency":
        return f"Call {clinic.emergency_number} or go to the emergency department." if clinic.emergency_number \
            else "Go to the emergency department or call the emergency number."
    return f"Call us on {clinic.phone}." if clinic.phone else "Call the clinic."


def seek_help_table(content: HepContent) -> Flowable:
    """'When to seek help': one row per level, each saying which number to call."""
    meta = content.meta
    s = _s(meta)
    width = usable_width(meta.paper)
    first = 34 * mm if not meta.large_print else 40 * mm
    levels = [level for level in ("emergency", "today", "soon") if any(c.level == level for c in content.seek_care)]
    rows = []
    for level in levels:
        texts = [c.text for c in content.seek_care if c.level == level]
        cell: list[Flowable] = [Paragraph(("• " if len(texts) > 1 else "") + rich(t), s["cell"]) for t in texts]
        cell.append(Paragraph("<b>" + rich(call_line(level, meta)) + "</b>", s["cell"]))
        rows.append([Paragraph(f"<b>{level_words(level)}</b>", s["cell"]), cell])
    table = Table(rows, colWidths=[first, width - first])
    style: list[Any] = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("GRID", (0, 0), (-1, -1), 0.6, RULE),
                        ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]
    for row, level in enumerate(levels):
        style.append(("LINEBEFORE", (0, row), (0, row), 5, URGENCY_COLOURS[LEVEL_COLOURS[level]]))
    table.setStyle(TableStyle(style))
    return KeepTogether([Paragraph("When to seek help", s["h2"]), table])


def exercise_block(item: PrescribedItem, content: HepContent, override_dir: Path | None) -> Flowable:
    """Picture (with the affected side marked) beside name, purpose, numbered steps, dosage and
    cautions; never split across pages."""
    meta = content.meta
    s = _s(meta)
    exercise = item.exercise
    text: list[Flowable] = [Paragraph(rich(exercise.name), s["h3"]), Paragraph(rich(exercise.purpose), s["body"])]
    text.append(_bullets(exercise.steps, meta, numbered=True))
    tail: list[Flowable] = []
    dose = item.dosage_text
    if dose:
        tail.append(Paragraph(rich(f"How much: {dose}"), s["dose"]))
    if item.notes:
        tail.append(Paragraph(rich(f"Note from your therapist: {item.notes}"), s["body"]))
    for caution in exercise.cautions:
        tail.append(Paragraph("<b>Caution:</b> " + rich(caution), s["caution"]))
    width = usable_width(meta.paper)
    picture: list[Flowable] = [illustration(exercise, PICTURE_WIDTH, override_dir)]
    if content.affected_side in ("left", "right") and exercise.kind == "exercise":
        picture.append(_side_mark(content.affected_side, meta))
    rows: list[list[Any]] = [[picture, text]]
    style: list[Any] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (0, 0), 5 * mm),
        ("LINEBELOW", (0, -1), (-1, -1), 0.8, RULE),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, -1), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, -1), 5),
        ("TOPPADDING", (0, 1), (-1, 1), 0),
    ]
    if tail:  # dosage and cautions run across the whole width, under the picture too
        rows.append([tail, ""])
        style.append(("SPAN", (0, 1), (1, 1)))
    table = Table(rows, colWidths=[PICTURE_WIDTH + 5 * mm, width - PICTURE_WIDTH - 5 * mm])
    table.setStyle(TableStyle(style))
    return KeepTogether([table])


def _side_mark(side: str, meta: SheetMeta) -> Table:
    s = _s(meta)
    mark = Table([[Paragraph(f"<b>Your affected side: {side.upper()}</b>", s["cell"])]], colWidths=[PICTURE_WIDTH])
    mark.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 1.5, URGENCY_COLOURS["urgent"]),
                              ("BACKGROUND", (0, 0), (-1, -1), TINT), ("TOPPADDING", (0, 0), (-1, -1), 2),
                              ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))
    return mark


def _intro(content: HepContent, title: str) -> list[Flowable]:
    meta = content.meta
    s = _s(meta)
    who = (f"For {isolate(meta.patient_name) or 'you'}, {meta.date}"
           + (f", from {isolate(meta.clinician)}" if meta.clinician else ""))
    story: list[Flowable] = [Paragraph(rich(title), s["title"]), Paragraph(rich(who), s["name"])]
    if content.next_appointment:
        story.append(Paragraph("<b>Your next appointment:</b> " + rich(content.next_appointment), s["body"]))
    return story


def emergency_story(content: HepContent) -> list[Flowable]:
    """No exercises: go to the emergency department today, what to tell them and bring, and who to call."""
    assert content.emergency is not None
    sheet = content.emergency
    meta = content.meta
    s = _s(meta)
    width = usable_width(meta.paper)
    story = _intro(content, "Please read this now")
    story.append(Spacer(1, 2 * mm))
    story.append(_box([[Paragraph(rich(sheet.title), s["box_title"])], [Paragraph(rich(sheet.lead), s["body"])]],
                      width, URGENCY_COLOURS["emergency"]))
    story += [Paragraph("What to tell them", s["h2"]), _bullets(sheet.tell, meta)]
    story += [Paragraph("What to bring", s["h2"]), _bullets(sheet.bring, meta)]
    story.append(Paragraph("If you get worse", s["h2"]))
    story.append(Paragraph(rich(sheet.if_worse) + ("<br/><b>Emergency number: " + rich(meta.clinic.emergency_number)
                                                  + "</b>" if meta.clinic.emergency_number else ""), s["body"]))
    story.append(Paragraph("Questions about this sheet", s["h2"]))
    contact = meta.clinic.name or "The clinic"
    if meta.clinic.phone:
        contact += f": phone {meta.clinic.phone}"
    story.append(Paragraph(rich(contact), s["body"]))
    return story


def programme_story(content: HepContent, override_dir: Path | None) -> list[Flowable]:
    meta = content.meta
    s = _s(meta)
    width = usable_width(meta.paper)
    story = _intro(content, "Your home exercise programme")
    if content.urgent is not None:
        rows: list[list[Any]] = [[Paragraph(rich(content.urgent.title), s["box_title"])],
                                 [Paragraph(rich(content.urgent.text), s["body"])]]
        if content.no_programme_note:
            rows.append([Paragraph(rich(content.no_programme_note), s["body"])])
        story += [Spacer(1, 2 * mm), _box(rows, width, URGENCY_COLOURS["urgent"])]
    if content.seek_care:
        story.append(seek_help_table(content))
    if content.items:
        intro: list[Flowable] = [
            Paragraph("Your exercises", s["h2"]),
            Paragraph("Drawings: dashed figure = start, solid figure = finish.", s["body"]),
        ]
        intro += [Paragraph("<b>" + rich(note) + "</b>", s["body"])  # each sentence once
                  for note in dict.fromkeys(content.finding_notes.values())]
        story += intro
        story += [exercise_block(item, content, override_dir) for item in content.items]
    if not content.items and content.urgent is None:  # (an urgent sheet says why it has none)
        story.append(Paragraph(NO_EXERCISES, s["h2"]))
    if content.pain_monitoring:
        block: list[Flowable] = [Paragraph("While you exercise", s["h2"])]
        block += [Paragraph("• " + rich(g.text) + f' <font size="{s["small"].fontSize}">[{rich(g.source)}]</font>',
                            s["body"]) for g in content.pain_monitoring]
        story += block  # may run on to the next page: its heading keeps with its first line
    if content.general_advice:
        story.append(Paragraph("General advice", s["h2"]))
        story += [Paragraph("• " + rich(a), s["body"]) for a in content.general_advice]
    return story


def hep_story(content: HepContent, override_dir: Path | None = None) -> list[Flowable]:
    if content.emergency is not None:
        return emergency_story(content)
    return programme_story(content, override_dir)


def render_hep(content: HepContent, override_dir: Path | None = None) -> bytes:
    """The patient's sheet as PDF bytes."""
    return build_pdf(content.meta, hep_story(content, override_dir))
