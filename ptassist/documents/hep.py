"""The patient's sheet: for an emergency, where to go today; otherwise "when to seek help" on the
first page, then one unbreakable block per exercise, pain monitoring and advice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
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
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from ptassist.core.exercises import PrescribedItem
from ptassist.core.sheets import NO_EXERCISES, HepContent, SheetMeta, level_words
from ptassist.documents.illustrations import illustration
from ptassist.documents.layout import BAND_BASELINE, LaidOut, lay_out, usable_height, usable_width
from ptassist.documents.styles import ACCENT, INK, RULE, TINT, URGENCY_COLOURS, styles
from ptassist.documents.text import NBSP, draw_text, isolate, plain_width, rich

LEGEND = "(drawings: dashed figure = start, solid figure = finish)"
LEVEL_COLOURS = {"emergency": "emergency", "today": "urgent", "soon": "routine"}
SMALL_PICTURE = 50 * mm


@dataclass(frozen=True)
class Fit:
    """How tightly a programme is set: ``split`` lets an exercise continue on the next page,
    ``guidance_first`` puts "While you exercise" and the general advice before the exercises (their
    lines fill the foot of a page that a drawing does not fit), ``dense`` sets lines and paragraphs a
    little closer (same sizes), ``small_drawings`` draws the pictures 50 mm wide on Letter, ``merged``
    sets an exercise's cautions as one paragraph, the general advice as one paragraph led by its
    name, and a safety-net level with one sign to look out for on its lead's line (fewer short lines
    and one heading fewer; nothing left out), ``advice_last`` (with ``guidance_first``) keeps the
    general advice after the exercises."""

    split: bool = False
    guidance_first: bool = False
    dense: bool = False
    small_drawings: bool = False
    merged: bool = False
    advice_last: bool = False


# The layouts tried, most generous first; the first with the fewest pages is kept.
FITS = (Fit(), Fit(split=True), Fit(split=True, guidance_first=True), Fit(split=True, dense=True),
        Fit(split=True, guidance_first=True, dense=True), Fit(split=True, dense=True, small_drawings=True),
        Fit(split=True, guidance_first=True, dense=True, small_drawings=True),
        Fit(split=True, dense=True, merged=True), Fit(split=True, guidance_first=True, dense=True, merged=True),
        Fit(split=True, dense=True, small_drawings=True, merged=True),
        Fit(split=True, guidance_first=True, dense=True, small_drawings=True, merged=True),
        Fit(split=True, guidance_first=True, dense=True, merged=True, advice_last=True),
        Fit(split=True, guidance_first=True, dense=True, small_drawings=True, merged=True, advice_last=True))
# The closest layout sets a programme at least this much shorter than the first (measured on the
# library: 8-10 %); when even that could not save a page, the later layouts are not tried.
MOST_SAVED = 0.2


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


def urgent_box(content: HepContent, dense: bool = False) -> Table:
    """The urgent red flag's box, compact (it shares page 1 with the safety net and the first
    exercises): the title white on orange at the left, beside it what it means and, with no
    programme confirmed, why there are no exercises."""
    assert content.urgent is not None
    meta = content.meta
    s = _s(meta, dense)
    width = usable_width(meta.paper)
    colour = URGENCY_COLOURS["urgent"]
    title = Paragraph(rich(content.urgent.title), s["urgent_title"])
    title_width = max(plain_width(line, s["urgent_title"].fontSize, bold=True)
                      for line in _halves(content.urgent.title)) + 2 * 7 + 1
    text = [Paragraph(rich(content.urgent.text), s["cell"])]
    if content.no_programme_note:
        text.append(Paragraph(rich(content.no_programme_note), s["cell"]))
    table = Table([[title, text]], colWidths=[title_width, width - title_width])
    pad = 3 if dense else 4
    table.setStyle(TableStyle([("BACKGROUND", (0, 0), (0, 0), colour), ("BOX", (0, 0), (-1, -1), 2, colour),
                               ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                               ("TOPPADDING", (0, 0), (-1, -1), pad), ("BOTTOMPADDING", (0, 0), (-1, -1), pad + 1),
                               ("LEFTPADDING", (0, 0), (-1, -1), 7), ("RIGHTPADDING", (0, 0), (-1, -1), 7)]))
    return table


def _halves(title: str) -> list[str]:
    """A short title in two lines, broken at the space nearest its middle."""
    words = title.split()
    if len(words) < 2:
        return [title]
    cut = min(range(1, len(words)), key=lambda i: abs(len(" ".join(words[:i])) - len(" ".join(words[i:]))))
    return [" ".join(words[:cut]), " ".join(words[cut:])]


def call_line(level: str, meta: SheetMeta) -> str:
    """Which number to ring for a row of the safety net: the emergency number, or the clinic."""
    clinic = meta.clinic
    if level == "emergency":
        return f"Call {clinic.emergency_number} or go to the emergency department." if clinic.emergency_number \
            else "Go to the emergency department or call the emergency number."
    return f"Call us on {clinic.phone}." if clinic.phone else "Call the clinic."


def seek_help_table(content: HepContent, dense: bool = False, merged: bool = False) -> Flowable:
    """'When to seek help': one band per level, led by the level and the number to call, then what
    to look out for (the whole width of the page for the text). ``merged``: a level with one thing
    to look out for sets it on the lead's line, after the number."""
    meta = content.meta
    s = _s(meta, dense)
    width = usable_width(meta.paper)
    levels = [level for level in ("emergency", "today", "soon") if any(c.level == level for c in content.seek_care)]
    rows = []
    for level in levels:
        colour = URGENCY_COLOURS[LEVEL_COLOURS[level]]
        lead = _run(f"<b>{level_words(level)}:</b>", s["cell"], colour) + f" <b>{rich(call_line(level, meta))}</b>"
        items = [c for c in content.seek_care if c.level == level]
        if merged and len(items) == 1:
            cell: list[Flowable] = [Paragraph(lead + " " + rich(items[0].text), s["cell"])]
        else:
            cell = [Paragraph(lead, s["cell"])]
            cell += [Paragraph(rich(c.text), s["cell_bullet"], bulletText="•") for c in items]
        rows.append([cell])
    table = Table(rows, colWidths=[width])
    style: list[Any] = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("GRID", (0, 0), (-1, -1), 0.6, RULE),
                        ("TOPPADDING", (0, 0), (-1, -1), 1 if dense else 2),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5 if dense else 2.5)]
    for row, level in enumerate(levels):
        style.append(("LINEBEFORE", (0, row), (0, row), 5, URGENCY_COLOURS[LEVEL_COLOURS[level]]))
    table.setStyle(TableStyle(style))
    return KeepTogether([Paragraph("When to seek help", s["h2"]), table])


def picture_width(meta: SheetMeta, fit: Fit | None = None) -> float:
    """The drawing's width: 56 mm (62 mm in large print); 50 mm on Letter in the closest layout."""
    if fit is not None and fit.small_drawings and meta.paper == "letter" and not meta.large_print:
        return SMALL_PICTURE
    return (62 if meta.large_print else 56) * mm


def exercise_block(item: PrescribedItem, content: HepContent, override_dir: Path | None, fit: Fit | None = None,
                   lead: Sequence[Flowable] = ()) -> Flowable:
    """The drawing and beside it, then under it, the name (with the affected side), what it is for,
    numbered steps, dosage, the therapist's note and cautions. ``lead`` (the section heading) stays
    with it. When ``fit.split`` allows, a block that does not fit continues on the next page under its
    name; the drawing always keeps the name and at least the first step beside it."""
    fit = fit or Fit()
    meta = content.meta
    s = _s(meta, fit.dense)
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
    cautions = [" ".join(exercise.cautions)] if fit.merged and exercise.cautions else exercise.cautions
    text += [Paragraph("<b>Caution:</b> " + rich(caution), s["caution"]) for caution in cautions]
    picture = illustration(exercise, picture_width(meta, fit), override_dir)
    # the text runs beside the drawing while it lasts, then on across the whole width
    pad = 1 if fit.dense else 2
    beside = ImageAndFlowables(_Picture(picture), text,  # type: ignore[arg-type]  # any flowable with _restrictSize
                               imageSide="left", imageRightPadding=4 * mm, imageTopPadding=pad, imageBottomPadding=pad)
    rule = _rule(fit.dense)
    if not fit.split:
        return KeepTogether([*lead, beside, rule])
    continued = Paragraph(_run(rich(f"{exercise.name} (continued)", bold=True), s["h3"], ACCENT), s["continued"])
    continues = _Continues(s["continues"], meta.large_print)
    return _ExerciseBlock([*lead, beside, rule], min(2, len(text)), continued, continues)


CONTINUES = "(continued on the next page)"


class _Continues(Flowable):
    """'(continued on the next page)', right-aligned at the foot of the page. In normal print it
    takes no room in the frame: it sits in the band above the footer rule, right of the centred
    DRAFT line; in large print it takes a line of its own under the text."""

    def __init__(self, style: Any, own_line: bool) -> None:
        super().__init__()
        self._style = style
        self._own_line = own_line
        # placed even when the part above it filled the frame to the last point (reportlab refuses
        # a flowable when no room is left, which would put the note alone on a page of its own)
        self._ZEROSIZE = not own_line

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803 - reportlab API
        self.width = availWidth
        self.height = self._style.leading if self._own_line else 0.0
        return self.width, self.height

    def drawOn(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:  # noqa: N802,N803 - reportlab API
        baseline = y + self.height - self._style.fontSize if self._own_line else BAND_BASELINE
        canvas.setFillColor(self._style.textColor)
        draw_text(canvas, x + self.width, baseline, CONTINUES, self._style.fontSize, align="right")


def _rule(dense: bool) -> Flowable:
    return HRFlowable(width="100%", thickness=0.8, color=RULE, spaceBefore=0.5 if dense else 1,
                      spaceAfter=1.5 if dense else 2.5)


class _ExerciseBlock(KeepTogether):
    """An exercise kept together when it fits; otherwise, when enough of it fits beside its drawing,
    split: the drawing with the name and first steps, "(continued on the next page)", then on the next
    page the name "(continued)" and the rest."""

    def __init__(self, flowables: list[Flowable], least: int, continued: Flowable, continues: Flowable) -> None:
        super().__init__(flowables)
        self._least = least  # how many paragraphs at least print with the drawing: the name and the first step
        self._continued = continued
        self._continues = continues

    def split(self, aW: float, aH: float) -> list[Flowable]:  # noqa: N803 - reportlab API
        if getattr(self, "_wrapInfo", None) != (aW, aH):
            self.wrap(aW, aH)
        held: Any = self  # KeepTogether's layout fields (_H, _content, canv: set by wrap and the frame)
        if aH >= held._H:
            return super().split(aW, aH)
        *lead, beside, rule = held._content
        canv = held.canv
        room = aH - self._continues.wrapOn(canv, aW, aH)[1]
        for flowable in lead:
            room -= flowable.wrapOn(canv, aW, room)[1] + flowable.getSpaceAfter() + flowable.getSpaceBefore()
        first, rest = _split_beside(beside, canv, aW, room)
        if len(beside._content) - len(rest) < self._least:
            return super().split(aW, aH)  # on the next page, whole
        tint = getattr(getattr(rest[0], "style", None), "borderPadding", 0) if rest else 0
        if tint:  # the dosage's tint reaches above its line: keep it off the "(continued)" name
            rest = [Spacer(1, tint + 1), *rest]
        return [*lead, first, self._continues, PageBreak(), self._continued, *rest, rule]


def _split_beside(beside: Any, canv: Any, width: float, height: float) -> tuple[Flowable, list[Flowable]]:
    """The drawing with as many whole paragraphs of its text as fit in ``height``, and the rest.
    (ImageAndFlowables.split would drop a one-line paragraph that fits, and may leave the text
    beside the drawing taller than the room.)"""
    text = beside._content
    first: Flowable = beside
    rest: list[Flowable] = list(text)  # nothing fits: all of it is the rest
    for count in range(1, len(text)):
        trial = ImageAndFlowables(beside._I, text[:count], imageLeftPadding=beside._ilpad,
                                  imageRightPadding=beside._irpad, imageTopPadding=beside._itpad,
                                  imageBottomPadding=beside._ibpad, imageSide=beside._side)
        if trial.wrapOn(canv, width, height)[1] + trial.getSpaceAfter() > height:
            break
        first, rest = trial, text[count:]
    return first, rest


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
    """The title, then for whom and when, and the next appointment (on the name's line in a dense
    layout). An urgent sheet has no title: its box comes first (see ``programme_story``)."""
    meta = content.meta
    s = _s(meta, dense)
    who = (f"For {isolate(meta.patient_name) or 'you'}, {meta.date}"
           + (f", from {isolate(meta.clinician)}" if meta.clinician else ""))
    appointment = "<b>Your next appointment:</b> " + rich(content.next_appointment) if content.next_appointment else ""
    story: list[Flowable] = [Paragraph(rich(title), s["title"])] if title else []
    if (dense or not title) and appointment:  # on the name's line when it fits there
        return [*story, Paragraph(rich(who) + ". " + appointment, s["name"])]
    story.append(Paragraph(rich(who), s["name"]))
    if appointment:
        story.append(Paragraph(appointment, s["body"]))
    return story


def emergency_story(content: HepContent) -> list[Flowable]:
    """No exercises: go to the emergency department today, what to tell them and bring, and who to call."""
    assert content.emergency is not None
    sheet = content.emergency
    meta = content.meta
    dense = False
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


def programme_story(content: HepContent, override_dir: Path | None, fit: Fit | None = None) -> list[Flowable]:
    fit = fit or Fit()
    meta = content.meta
    s = _s(meta, fit.dense)
    if content.urgent is None:
        story = _intro(content, "Your home exercise programme", fit.dense)
    else:  # the box at the very top, in place of the title (the footer still names the sheet)
        story = [urgent_box(content, fit.dense), Spacer(1, 1 * mm), *_intro(content, "", fit.dense)]
    if content.seek_care:
        story.append(seek_help_table(content, fit.dense, fit.merged))
    guidance = _guidance(content, s, fit.merged)
    advice: list[Flowable] = []
    if fit.advice_last:  # pain monitoring before the exercises, the general advice after
        guidance = _guidance(replace(content, general_advice=()), s, fit.merged)
        advice = _guidance(replace(content, pain_monitoring=()), s, fit.merged)
    if fit.guidance_first:
        story += guidance
    if content.items:
        lead: list[Flowable] = [Paragraph("Your exercises " + _run(LEGEND, s["body"], INK), s["h2"])]
        lead += [Paragraph("<b>" + rich(note) + "</b>", s["body"])  # each sentence once
                 for note in dict.fromkeys(content.finding_notes.values())]
        story += [exercise_block(item, content, override_dir, fit, lead if number == 0 else ())
                  for number, item in enumerate(content.items)]
    if not content.items and not content.no_programme_note:  # (an unconfirmed urgent sheet says why it has none)
        story.append(Paragraph(NO_EXERCISES, s["h2"]))
    if not fit.guidance_first:
        story += guidance
    return story + advice


def _guidance(content: HepContent, s: dict[str, Any], merged: bool = False) -> list[Flowable]:
    """'While you exercise' (pain monitoring, with sources) and general advice (``merged``: one
    paragraph led by "General advice:" instead of a heading and a line each); both may run on to
    the next page (a heading keeps with its first line)."""
    story: list[Flowable] = []
    if content.pain_monitoring:
        story.append(Paragraph("While you exercise", s["h2"]))
        story += [Paragraph("• " + rich(g.text) + f' <font size="{s["small"].fontSize}">[{rich(g.source)}]</font>',
                            s["body"]) for g in content.pain_monitoring]
    if content.general_advice and merged:
        lead = _run("<b>General advice:</b>", s["h3"], ACCENT)
        story.append(Paragraph(lead + " " + " ".join(rich(a) for a in content.general_advice), s["advice"]))
    elif content.general_advice:
        story.append(Paragraph("General advice", s["h2"]))
        story += [Paragraph("• " + rich(a), s["body"]) for a in content.general_advice]
    return story


def hep_story(content: HepContent, override_dir: Path | None = None, fit: Fit | None = None) -> list[Flowable]:
    if content.emergency is not None:
        return emergency_story(content)
    return programme_story(content, override_dir, fit)


def lay_out_fit(content: HepContent, fit: Fit, override_dir: Path | None = None) -> LaidOut:
    """The patient's sheet set as ``fit`` says (an urgent sheet's page 1 with the one-line header)."""
    return lay_out(content.meta, hep_story(content, override_dir, fit), compact_header=content.urgent is not None)


def lay_out_hep(content: HepContent, override_dir: Path | None = None) -> LaidOut:
    """The patient's sheet and how full each of its pages is.

    The layouts in ``FITS`` are tried in turn, most generous first, and the first that needs the
    fewest pages is kept; a later one is tried only while it could still save a page."""
    best: LaidOut | None = None
    for fit in FITS:
        if fit.small_drawings and (content.meta.paper != "letter" or content.meta.large_print):
            continue  # the same layout as the one before
        laid = lay_out_fit(content, fit, override_dir)
        if best is None or len(laid.fill) < len(best.fill):
            best = laid
        if content.emergency is not None or not content.items or not _could_save_a_page(content, best):
            break
    assert best is not None
    return best


def _could_save_a_page(content: HepContent, laid: LaidOut) -> bool:
    """Whether a closer layout might need one page fewer than ``laid``: its content, set
    ``MOST_SAVED`` shorter and with no page left part empty, would fit one page fewer."""
    pages = len(laid.fill)
    if pages == 1:
        return False
    paper = content.meta.paper
    heights = [usable_height(paper, number == 0, content.urgent is not None) for number in range(pages)]
    used = sum(f * h for f, h in zip(laid.fill, heights, strict=True))
    return used * (1 - MOST_SAVED) <= sum(heights[:-1])


def render_hep(content: HepContent, override_dir: Path | None = None) -> bytes:
    """The patient's sheet as PDF bytes."""
    return lay_out_hep(content, override_dir).pdf
