"""The patient's sheet: for an emergency, where to go today; otherwise "when to seek help" on the
first page, then one unbreakable block per exercise, pain monitoring and advice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    ImageAndFlowables,
    KeepTogether,
    ListFlowable,
    ListItem,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from ptassist.core.exercises import PrescribedItem
from ptassist.core.sheets import NO_EXERCISES, HepContent, SheetMeta, level_words
from ptassist.documents.illustrations import illustration
from ptassist.documents.layout import LaidOut, lay_out, usable_width
from ptassist.documents.styles import ACCENT, INK, RULE, TINT, URGENCY_COLOURS, styles
from ptassist.documents.text import NBSP, isolate, rich

LEGEND = "(drawings: dashed figure = start, solid figure = finish)"
NEARLY_EMPTY = 0.3  # a last page filled less than this is worth a closer layout
LEVEL_COLOURS = {"emergency": "emergency", "today": "urgent", "soon": "routine"}


def _s(meta: SheetMeta, dense: bool) -> dict[str, Any]:
    return styles(meta.large_print, dense)


def _bullets(texts: tuple[str, ...] | list[str], meta: SheetMeta, dense: bool, numbered: bool = False) -> ListFlowable:
    s = _s(meta, dense)
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


def seek_help_table(content: HepContent, dense: bool = False) -> Flowable:
    """'When to seek help': one row per level, each saying which number to call."""
    meta = content.meta
    s = _s(meta, dense)
    width = usable_width(meta.paper)
    first = 27 * mm if not meta.large_print else 32 * mm
    levels = [level for level in ("emergency", "today", "soon") if any(c.level == level for c in content.seek_care)]
    rows = []
    for level in levels:
        texts = [c.text for c in content.seek_care if c.level == level]
        cell: list[Flowable] = [Paragraph(("• " if len(texts) > 1 else "") + rich(t), s["cell"]) for t in texts]
        cell.append(Paragraph("<b>" + rich(call_line(level, meta)) + "</b>", s["cell"]))
        rows.append([Paragraph(f"<b>{level_words(level)}</b>", s["cell"]), cell])
    table = Table(rows, colWidths=[first, width - first])
    style: list[Any] = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("GRID", (0, 0), (-1, -1), 0.6, RULE),
                        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5)]
    for row, level in enumerate(levels):
        style.append(("LINEBEFORE", (0, row), (0, row), 5, URGENCY_COLOURS[LEVEL_COLOURS[level]]))
    table.setStyle(TableStyle(style))
    return KeepTogether([Paragraph("When to seek help", s["h2"]), table])


def picture_width(meta: SheetMeta) -> float:
    """The drawing's width: at least 58 mm (64 mm in large print), a little more on a wide page."""
    return (62 if meta.large_print else 56) * mm


def exercise_block(item: PrescribedItem, content: HepContent, override_dir: Path | None,
                   dense: bool = False) -> Flowable:
    """The drawing (with the affected side marked under it) and beside it, then under it, the name,
    what it is for, numbered steps, dosage, the therapist's note and cautions; never split."""
    meta = content.meta
    s = _s(meta, dense)
    exercise = item.exercise
    heading = _run(rich(exercise.name, bold=True), s["h3"], ACCENT)
    if content.affected_side in ("left", "right") and exercise.kind == "exercise":
        heading += f"{NBSP}{NBSP} " + side_mark(content.affected_side)
    text: list[Flowable] = [Paragraph(heading + "<br/>" + rich(exercise.purpose), s["exercise"])]
    text += [Paragraph(rich(step), s["numbered"], bulletText=f"{number}.")
             for number, step in enumerate(exercise.steps, start=1)]
    if item.dosage_text:
        text += [Spacer(1, s["dose"].borderPadding + 1), Paragraph(rich(f"How much: {item.dosage_text}"), s["dose"])]
    if item.notes:
        text.append(Paragraph(rich(f"Note from your therapist: {item.notes}"), s["body"]))
    text += [Paragraph("<b>Caution:</b> " + rich(caution), s["caution"]) for caution in exercise.cautions]
    picture = illustration(exercise, picture_width(meta), override_dir)
    rule = HRFlowable(width="100%", thickness=0.8, color=RULE, spaceBefore=1, spaceAfter=2.5)
    # the text runs beside the drawing while it lasts, then on across the whole width
    beside = ImageAndFlowables(_Picture(picture), text,  # type: ignore[arg-type]  # any flowable with _restrictSize
                               imageSide="left", imageRightPadding=4 * mm, imageTopPadding=2, imageBottomPadding=2)
    return KeepTogether([beside, rule])


class _Picture(Flowable):
    """A drawing as ImageAndFlowables wants its image (it asks for the image's size rules)."""

    def __init__(self, drawing: Flowable) -> None:
        super().__init__()
        self._drawing = drawing

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803 - reportlab API
        self.width, self.height = self._drawing.wrap(availWidth, availHeight)
        return self.width, self.height

    def _restrictSize(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N802,N803
        return self.width, self.height  # the drawing keeps its size

    def _unRestrictSize(self) -> None:  # noqa: N802 - reportlab API
        pass

    def draw(self) -> None:
        self._drawing.drawOn(self.canv, 0, 0)


def _run(markup: str, style: Any, colour: colors.Color) -> str:
    """``markup`` set in another style's face, size and colour inside a paragraph."""
    return f'<font name="{style.fontName}" size="{style.fontSize}" color="{colour.hexval()}">{markup}</font>'


def side_mark(side: str) -> str:
    """'Your affected side: LEFT' as a marked run of paragraph markup (beside the exercise's name)."""
    orange = URGENCY_COLOURS["urgent"].hexval()
    words = NBSP.join(("", "Your", "affected", "side:", side.upper(), ""))  # one unit: it wraps whole
    return f'<span backColor="{TINT.hexval()}" color="{orange}"><b>{words}</b></span>'


def _intro(content: HepContent, title: str, dense: bool) -> list[Flowable]:
    meta = content.meta
    s = _s(meta, dense)
    who = (f"For {isolate(meta.patient_name) or 'you'}, {meta.date}"
           + (f", from {isolate(meta.clinician)}" if meta.clinician else ""))
    story: list[Flowable] = [Paragraph(rich(title), s["title"]), Paragraph(rich(who), s["name"])]
    if content.next_appointment:
        story.append(Paragraph("<b>Your next appointment:</b> " + rich(content.next_appointment), s["body"]))
    return story


def emergency_story(content: HepContent, dense: bool = False) -> list[Flowable]:
    """No exercises: go to the emergency department today, what to tell them and bring, and who to call."""
    assert content.emergency is not None
    sheet = content.emergency
    meta = content.meta
    s = _s(meta, dense)
    width = usable_width(meta.paper)
    story = _intro(content, "Please read this now", dense)
    story.append(Spacer(1, 2 * mm))
    story.append(_box([[Paragraph(rich(sheet.title), s["box_title"])], [Paragraph(rich(sheet.lead), s["body"])]],
                      width, URGENCY_COLOURS["emergency"]))
    story += [Paragraph("What to tell them", s["h2"]), _bullets(sheet.tell, meta, dense)]
    story += [Paragraph("What to bring", s["h2"]), _bullets(sheet.bring, meta, dense)]
    story.append(Paragraph("If you get worse", s["h2"]))
    story.append(Paragraph(rich(sheet.if_worse) + ("<br/><b>Emergency number: " + rich(meta.clinic.emergency_number)
                                                  + "</b>" if meta.clinic.emergency_number else ""), s["body"]))
    story.append(Paragraph("Questions about this sheet", s["h2"]))
    contact = meta.clinic.name or "The clinic"
    if meta.clinic.phone:
        contact += f": phone {meta.clinic.phone}"
    story.append(Paragraph(rich(contact), s["body"]))
    return story


def programme_story(content: HepContent, override_dir: Path | None, dense: bool = False,
                    guidance_first: bool = False) -> list[Flowable]:
    meta = content.meta
    s = _s(meta, dense)
    width = usable_width(meta.paper)
    story = _intro(content, "Your home exercise programme", dense)
    if content.urgent is not None:
        rows: list[list[Any]] = [[Paragraph(rich(content.urgent.title), s["box_title"])],
                                 [Paragraph(rich(content.urgent.text), s["body"])]]
        if content.no_programme_note:
            rows.append([Paragraph(rich(content.no_programme_note), s["body"])])
        story += [Spacer(1, 2 * mm), _box(rows, width, URGENCY_COLOURS["urgent"])]
    if content.seek_care:
        story.append(seek_help_table(content, dense))
    guidance = _guidance(content, s)
    if guidance_first:
        story += guidance
    if content.items:
        story.append(Paragraph("Your exercises " + _run(LEGEND, s["body"], INK), s["h2"]))
        story += [Paragraph("<b>" + rich(note) + "</b>", s["body"])  # each sentence once
                  for note in dict.fromkeys(content.finding_notes.values())]
        story += [exercise_block(item, content, override_dir, dense) for item in content.items]
    if not content.items and not content.no_programme_note:  # (an unconfirmed urgent sheet says why it has none)
        story.append(Paragraph(NO_EXERCISES, s["h2"]))
    if not guidance_first:
        story += guidance
    return story


def _guidance(content: HepContent, s: dict[str, Any]) -> list[Flowable]:
    """'While you exercise' (pain monitoring, with sources) and general advice; both may run on to
    the next page (a heading keeps with its first line)."""
    story: list[Flowable] = []
    if content.pain_monitoring:
        story.append(Paragraph("While you exercise", s["h2"]))
        story += [Paragraph("• " + rich(g.text) + f' <font size="{s["small"].fontSize}">[{rich(g.source)}]</font>',
                            s["body"]) for g in content.pain_monitoring]
    if content.general_advice:
        story.append(Paragraph("General advice", s["h2"]))
        story += [Paragraph("• " + rich(a), s["body"]) for a in content.general_advice]
    return story


def hep_story(content: HepContent, override_dir: Path | None = None, dense: bool = False,
              guidance_first: bool = False) -> list[Flowable]:
    if content.emergency is not None:
        return emergency_story(content, dense)
    return programme_story(content, override_dir, dense, guidance_first)


# The layouts tried, in order of preference, when a sheet's last page would hold only a little:
# lines and paragraphs a little closer (same sizes), then the guidance before the exercises.
VARIANTS = ((False, False), (True, False), (False, True), (True, True))


def lay_out_hep(content: HepContent, override_dir: Path | None = None) -> LaidOut:
    """The patient's sheet and how full each of its pages is.

    Exercise blocks never split, so a sheet can end with a few lines alone on its last page; then
    the variants are tried in turn and the first that needs the fewest pages is kept."""
    best: LaidOut | None = None
    for dense, guidance_first in VARIANTS:
        laid = lay_out(content.meta, hep_story(content, override_dir, dense, guidance_first))
        if best is None or len(laid.fill) < len(best.fill):
            best = laid
        if len(best.fill) == 1 or best.fill[-1] >= NEARLY_EMPTY or content.emergency is not None:
            break
    assert best is not None
    return best


def render_hep(content: HepContent, override_dir: Path | None = None) -> bytes:
    """The patient's sheet as PDF bytes."""
    return lay_out_hep(content, override_dir).pdf
