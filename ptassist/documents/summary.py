"""The visit summary: SOAP narrative, findings, checklist result, measures with a trend chart, plan."""

from __future__ import annotations

from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from ptassist.core.sheets import SummaryContent
from ptassist.documents.layout import build_pdf, usable_width
from ptassist.documents.referral import (
    background_section,
    care_section,
    diagnosis_section,
    flag_section,
    record_section,
    score_table,
)
from ptassist.documents.styles import MUTED, styles
from ptassist.documents.text import BODY, isolate, rich

SERIES_COLOURS = {"NPRS": "#b3261e", "LEFS": "#24465e", "ODI": "#b85c00", "PSFS": "#2e7d5b"}
SCALE_MAX = {"NPRS": 10.0, "LEFS": 80.0, "ODI": 100.0, "PSFS": 10.0}


def trend_chart(content: SummaryContent, width: float) -> Drawing | None:
    """Scores across visits, each as a percentage of its scale so they share one axis."""
    series = {name: points for name, points in content.trend.items() if len(points) >= 2}
    if not series:
        return None
    drawing = Drawing(width, 62 * mm)
    plot = LinePlot()
    plot.x, plot.y, plot.width, plot.height = int(14 * mm), int(10 * mm), int(width - 50 * mm), int(46 * mm)
    plot.data = [[(i, value / SCALE_MAX[name] * 100) for i, (_, value) in enumerate(points)]
                 for name, points in series.items()]
    for index, name in enumerate(series):
        plot.lines[index].strokeColor = colors.HexColor(SERIES_COLOURS[name])
        plot.lines[index].strokeWidth = 2
    plot.yValueAxis.valueMin, plot.yValueAxis.valueMax, plot.yValueAxis.valueStep = 0, 100, 25
    plot.xValueAxis.valueMin = 0
    plot.xValueAxis.valueMax = max(len(p) for p in series.values()) - 1
    plot.xValueAxis.valueStep = 1
    for axis in (plot.xValueAxis, plot.yValueAxis):
        axis.labels.fontName = BODY
        axis.labels.fontSize = 8
    drawing.add(plot)
    drawing.add(String(0, 58 * mm, "% of scale (NPRS, ODI: lower is better; LEFS, PSFS: higher is better)",
                       fontName=BODY, fontSize=8, fillColor=MUTED))
    drawing.add(String(plot.x, 2 * mm, "visit number (oldest first)", fontName=BODY, fontSize=8, fillColor=MUTED))
    legend = Legend()
    legend.x, legend.y = int(width - 32 * mm), int(50 * mm)
    legend.fontName, legend.fontSize = BODY, 9
    legend.colorNamePairs = [(colors.HexColor(SERIES_COLOURS[n]), n) for n in series]
    drawing.add(legend)
    return drawing


def summary_story(content: SummaryContent) -> list[Flowable]:
    meta = content.meta
    large = meta.large_print
    s = styles(large)
    width = usable_width(meta.paper)
    story: list[Flowable] = [
        Paragraph("Visit summary", s["title"]),
        Paragraph(rich(f"{isolate(meta.patient_name)}, born {meta.patient_dob}, chart {meta.chart_number}  ·  "
                       f"{content.kind}, {meta.date} {meta.time}"), s["name"]),
        Paragraph(rich(content.signed_line), s["body"]),
    ]
    if content.screen_note:
        story.append(Paragraph("<b>" + rich(content.screen_note) + "</b>", s["caution"]))
    story += record_section("", content.addenda, "", large)  # corrections are read with the record
    story += background_section(content.record, large)
    for key, title in (("subjective", "Subjective"), ("objective", "Objective"), ("assessment", "Assessment"),
                       ("plan", "Plan")):
        if content.narrative.get(key):
            story += [Paragraph(title, s["h2"]), Paragraph(rich(content.narrative[key]), s["body"])]
    story += care_section(content.record, large)
    if content.positives or content.negatives:
        story.append(Paragraph("Findings", s["h2"]))
        half = (width - 6 * mm) / 2
        left = [Paragraph("<b>Positive</b>", s["body"])]
        left += [Paragraph("• " + rich(p), s["body"]) for p in content.positives]
        right = [Paragraph("<b>Relevant negatives</b>", s["body"])] + [Paragraph("• " + rich(n), s["body"])
                                                                        for n in content.negatives]
        table = Table([[left, right]], colWidths=[half + 6 * mm, half])
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        story.append(table)
    story.append(Paragraph("Differential checklist", s["h2"]))
    story.append(Paragraph(f"<b>Urgency: {rich(content.urgency.upper())}</b>", s["body"]))
    story += flag_section(content.flags, large=large)
    story += diagnosis_section(content.working_diagnosis, content.differential, content.ruleset, large)
    story.append(Paragraph("Root level: " + rich(content.root_level or "not determined"), s["body"]))
    if content.mixed_note:
        story.append(Paragraph("<i>" + rich(content.mixed_note) + "</i>", s["body"]))
    for index, (head, lines) in enumerate(content.reasoning):
        block: list[Flowable] = [Paragraph("Reasoning", s["h2"])] if index == 0 else []  # never a lone heading
        block.append(Paragraph("<b>" + rich(head) + "</b>", s["body"]))
        block += [Paragraph(rich(line), s["small"]) for line in lines]
        story.append(KeepTogether(block))
    if content.scores:
        scores: list[Flowable] = [Paragraph("Outcome measures", s["h2"]), score_table(content.scores, width, large)]
        chart = trend_chart(content, width)
        if chart is not None:
            scores += [Spacer(1, 3 * mm), chart]
        story.append(KeepTogether(scores))
    if content.items:
        story.append(Paragraph("Home exercise programme", s["h2"]))
        story += [Paragraph("• " + rich(f"{i.exercise.name}: {i.dosage_text or 'as advised'}"), s["body"])
                  for i in content.items]
    return story


def render_summary(content: SummaryContent) -> bytes:
    """The visit summary as PDF bytes."""
    return build_pdf(content.meta, summary_story(content))
