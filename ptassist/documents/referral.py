"""The referral letter: urgency banner and request first, then reasons, history, examination."""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from ptassist.core.record_lines import RecordLines
from ptassist.core.sheets import FlagReason, ReferralContent, ScoreRow
from ptassist.documents.layout import build_pdf, usable_width
from ptassist.documents.styles import RULE, TINT, URGENCY_COLOURS, styles
from ptassist.documents.text import isolate, rich


def _table(rows: list[list[str]], widths: list[float], header: bool = True, large: bool = False) -> Table:
    s = styles(large)
    cells = [[Paragraph(("<b>" + rich(c) + "</b>") if header and r == 0 else rich(c), s["cell"]) for c in row]
             for r, row in enumerate(rows)]
    table = Table(cells, colWidths=widths, repeatRows=1 if header else 0)
    style: list[Any] = [("GRID", (0, 0), (-1, -1), 0.5, RULE), ("VALIGN", (0, 0), (-1, -1), "TOP"),
             ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), TINT))
    table.setStyle(TableStyle(style))
    return table


def flag_section(flags: tuple[FlagReason, ...], *, for_recipient: bool = False,
                 large: bool = False) -> list[Flowable]:
    """Each red flag with its findings; a letter says what it asks of the recipient, the
    clinician's own summary the rule set's action for the therapist."""
    s = styles(large)
    out: list[Flowable] = []
    for flag in flags:
        block = [Paragraph(f"<b>{rich(flag.title)} suspected</b> ({flag.urgency})", s["body"])]
        if flag.findings:
            block.append(Paragraph("Findings: " + rich("; ".join(flag.findings)), s["body"]))
        if for_recipient:
            block.append(Paragraph("Requested: " + rich(flag.request), s["body"]))
        else:
            block.append(Paragraph("Action: " + rich(flag.action), s["body"]))
        block.append(Paragraph("Sources: " + rich(", ".join(flag.sources)), s["small"]))
        out.append(KeepTogether([*block, Spacer(1, 2 * mm)]))
    return out


def diagnosis_section(working: tuple[str, ...], others: tuple[tuple[str, str], ...], ruleset: str,
                      large: bool = False) -> list[Flowable]:
    """The working diagnosis, the other conditions still in play, and the rule-set version."""
    s = styles(large)
    out: list[Flowable] = [Paragraph("Working diagnosis: " + rich(" + ".join(working) or "none favoured yet"),
                                     s["body"])]
    if others:
        listed = "; ".join(f"{label} ({verdict})" for label, verdict in others)
        out.append(Paragraph("Also considered: " + rich(listed), s["body"]))
    out.append(Paragraph(rich(f"Differential checklist rule set {ruleset}."), s["small"]))
    return out


def score_table(scores: tuple[ScoreRow, ...], width: float, large: bool = False) -> Table:
    rows = [["Measure", "Baseline", "Now", "Change"]]
    for row in scores:
        rows.append([row.measure, "-" if row.baseline is None else f"{row.baseline:g}",
                     "-" if row.current is None else f"{row.current:g}", row.change or "-"])
    return _table(rows, [25 * mm, 26 * mm, 18 * mm, width - 69 * mm], large=large)


def background_section(record: RecordLines, large: bool = False) -> list[Flowable]:
    """Conditions, medication and allergies as recorded (or that none were)."""
    s = styles(large)
    out: list[Flowable] = [Paragraph("Background: conditions, medication, allergies", s["h2"])]
    if not record.background_recorded:
        return [*out, Paragraph("Background not recorded.", s["body"])]
    for title, lines, empty in (("Conditions", record.conditions, "none recorded"),
                                ("Medication", record.medications, "none recorded"),
                                ("Allergies", record.allergies, "none recorded")):
        out.append(Paragraph(f"<b>{title}:</b> " + (rich("; ".join(lines)) if lines else empty), s["body"]))
    return out


def care_section(record: RecordLines, large: bool = False) -> list[Flowable]:
    """Goals, plan of care, what was done this session and consent; nothing when none was recorded."""
    s = styles(large)
    out: list[Flowable] = []
    if record.goals or record.plan:
        out.append(Paragraph("Goals and plan of care", s["h2"]))
        out += [Paragraph("• " + rich(line), s["body"]) for line in (*record.goals, *record.plan)]
    if record.session:
        out.append(Paragraph("This session", s["h2"]))
        out += [Paragraph(rich(line), s["body"]) for line in record.session]
    if record.consent:
        out.append(Paragraph(rich(record.consent) + ".", s["body"]))
    return out


def record_section(signed: str, addenda: tuple[str, ...], screen_note: str, large: bool = False) -> list[Flowable]:
    """For the clinician's copies: an incomplete red-flag screen, who signed and when, addenda."""
    s = styles(large)
    out: list[Flowable] = []
    if screen_note:
        out.append(Paragraph("<b>" + rich(screen_note) + "</b>", s["caution"]))
    if addenda:
        out.append(Paragraph("Addenda (corrections and late entries)", s["h2"]))
        out += [Paragraph(rich(line), s["body"]) for line in addenda]
    if signed:
        out.append(Paragraph(rich(signed), s["small"]))
    return out


def referral_story(content: ReferralContent) -> list[Flowable]:
    meta = content.meta
    large = meta.large_print
    s = styles(large)
    width = usable_width(meta.paper)
    banner = Table([[Paragraph(rich(content.banner), s["banner"])],
                    [Paragraph("<b>Question / request:</b> " + rich(content.request), s["body"])]],
                   colWidths=[width])
    colour = URGENCY_COLOURS[content.urgency]
    banner.setStyle(TableStyle([("BACKGROUND", (0, 0), (0, 0), colour), ("BOX", (0, 0), (-1, -1), 1.5, colour),
                                ("TOPPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
                                ("LEFTPADDING", (0, 0), (-1, -1), 8)]))
    story: list[Flowable] = [banner, Spacer(1, 4 * mm)]
    to_lines = [content.recipient, content.recipient_practice, content.recipient_contact]
    story.append(Paragraph("<br/>".join(rich(x) for x in to_lines if x), s["body"]))
    story.append(Spacer(1, 2 * mm))
    story.append(Paragraph(f"<b>Re: {rich(meta.patient_name, bold=True)}</b>", s["name"]))
    story.append(Paragraph("<br/>".join(rich(x) for x in content.patient_lines), s["body"]))
    if content.screen_note:
        story.append(Paragraph("<b>" + rich(content.screen_note) + "</b>", s["caution"]))
    story.append(Spacer(1, 2 * mm))
    story.append(Paragraph(f"{rich(content.salutation)},", s["body"]))
    reason = "the red flags below" if content.flags else "the findings below"
    story.append(Paragraph(
        f"I assessed {rich(isolate(meta.patient_name))} on {rich(meta.date)} for lateral thigh and knee symptoms. "
        f"I am writing because of {reason}; my question and its urgency are stated above.", s["body"]))
    if content.done:
        story.append(Paragraph("<b>What was done:</b> " + rich(content.done), s["body"]))
    if content.flags:
        story.append(Paragraph("Reason for referral", s["h2"]))
        story += flag_section(content.flags, for_recipient=True, large=large)
    if content.treatment:
        story.append(Paragraph("Treatment so far", s["h2"]))
        story += [Paragraph(rich(line), s["body"]) for line in content.treatment]
    if content.history:
        story.append(Paragraph("Relevant history and findings", s["h2"]))
        story += [Paragraph("• " + rich(line), s["body"]) for line in content.history]
    story += background_section(content.record, large)
    story.append(Paragraph("Examination", s["h2"]))
    neuro_rows = [["Myotome", "MRC grade"]] + [[m, g] for m, g in content.strength]
    reflex_rows = [["Reflex", "Finding"]] + [[r, v] for r, v in content.reflexes]
    half = (width - 6 * mm) / 2
    strength: Flowable = (_table(neuro_rows, [half * 0.62, half * 0.38], large=large) if content.strength
                          else Paragraph("Strength not tested.", s["body"]))
    reflexes: Flowable = (_table(reflex_rows, [half * 0.6, half * 0.4], large=large) if content.reflexes
                          else Paragraph("Reflexes not tested.", s["body"]))
    pair = Table([[strength, reflexes]], colWidths=[half + 6 * mm, half])
    pair.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    story.append(pair)
    story.append(Paragraph("Sensation: " + rich(content.sensory), s["body"]))
    if content.tests:
        story.append(_table([["Test", "Result"]] + [[t, r] for t, r in content.tests], [width * 0.7, width * 0.3],
                            large=large))
    story.append(Paragraph("Working diagnosis and differential", s["h2"]))
    story += diagnosis_section(content.working_diagnosis, content.differential, content.ruleset, large)
    if content.scores:
        story.append(Paragraph("Outcome measures", s["h2"]))
        story.append(score_table(content.scores, width, large))
    story += care_section(content.record, large)
    if content.addition:
        story.append(Paragraph("Additional information", s["h2"]))
        story.append(Paragraph(rich(content.addition), s["body"]))
    if content.addenda:
        story.append(Paragraph("Addenda (corrections and late entries)", s["h2"]))
        story += [Paragraph(rich(line), s["body"]) for line in content.addenda]
    return _signed(story, signature_block(content))


SECTION_KEPT = 5  # a last section of at most this many pieces moves whole with the sign-off


def _signed(story: list[Flowable], signature: list[Flowable]) -> list[Flowable]:
    """The sign-off never stands alone on a page: it keeps the last section with it (its heading and
    all, when short), else at least the section's last two pieces."""
    headings = [i for i, f in enumerate(story) if isinstance(f, Paragraph) and f.style.name == "h2"]
    start = headings[-1] if headings else len(story) - 1
    if len(story) - start > SECTION_KEPT:
        start = len(story) - 2
    return [*story[:start], KeepTogether([*story[start:], *signature])]


def signature_block(content: ReferralContent) -> list[Flowable]:
    """Sign-off with the clinician's credentials, registration, direct contact and signing time,
    as they were at signing; kept together with the closing line (never alone on a page)."""
    meta = content.meta
    s = styles(meta.large_print)
    lines = [Spacer(1, 5 * mm), Paragraph("Yours sincerely,", s["body"]), Spacer(1, 9 * mm),
             Paragraph(f"<b>{rich(meta.clinician or 'Treating physical therapist', bold=True)}</b>"
                       + (", " + rich(content.clinician_credentials) if content.clinician_credentials else ""),
                       s["body"])]
    details = [f"Registration number {content.clinician_licence}" if content.clinician_licence else "",
               f"Direct contact: {content.clinician_contact}" if content.clinician_contact else "",
               meta.clinic.name or "", content.signed_line]
    lines += [Paragraph(rich(x), s["body"]) for x in details if x]
    return lines


def render_referral(content: ReferralContent) -> bytes:
    """The referral letter as PDF bytes."""
    return build_pdf(content.meta, referral_story(content))
