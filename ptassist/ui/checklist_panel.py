"""The live differential checklist beside the form: urgency, flags, diagnosis, evidence, next steps."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

from PySide6.QtCore import QUrl, Signal
from PySide6.QtWidgets import QTextBrowser, QWidget

from ptassist.core.errors import IntakeError
from ptassist.core.intake import parse_intake
from ptassist.core.report import SUSPECT_LABELS, describe_key, key_label
from ptassist.core.screen_status import screen_summary, urgency_headline
from ptassist.core.vocabulary import Vocabulary

URGENCY_COLOURS = {"emergency": "#b3261e", "urgent": "#b85c00", "routine": "#24465e", "none": "#2e7d5b"}
# "No flag so far" while the screen is incomplete is not the green all-clear.
UNSCREENED_COLOUR = "#6d5a00"


class ChecklistPanel(QTextBrowser):
    """Renders an assessment; 'assess next' items are links that jump to their field."""

    assess_requested = Signal(str)

    def __init__(self, vocabulary: Vocabulary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vocabulary = vocabulary
        self.setObjectName("checklist_panel")
        self.setAccessibleName("Differential checklist")
        self.setOpenLinks(False)
        self.anchorClicked.connect(self._clicked)
        self.assessment: dict[str, Any] = {}
        self._html = ""

    def _clicked(self, url: QUrl) -> None:
        if url.scheme() == "assess":
            self.assess_requested.emit(url.path())

    def show_assessment(self, assessment: dict[str, Any], frozen: bool = False,
                        intake: dict[str, Any] | None = None) -> None:
        """Show an assessment; with its ``intake``, a flag's reasons carry their values ("EHL 3/5")."""
        self.assessment = assessment
        describe: Callable[[str], str] | None = None
        if intake is not None:
            try:
                parsed = parse_intake(intake, self.vocabulary)
            except IntakeError:
                parsed = None
            if parsed is not None:
                def describe(key: str) -> str:
                    return describe_key(key, parsed, self.vocabulary)
        html = render_html(assessment, lambda key: key_label(key, self.vocabulary), frozen, describe)
        if html != self._html:  # typing in the notes re-assesses: redraw only when the checklist changed
            self._html = html
            self.setHtml(html)


def render_html(a: dict[str, Any], label: Callable[[str], str], frozen: bool = False,
                describe: Callable[[str], str] | None = None) -> str:
    """The assessment as HTML; ``label`` names intake keys ('strength.ehl') as a clinician would, and
    ``describe`` (when the intake is known) names them with their values ('EHL 3/5')."""
    if not a:
        return "<p>Record findings to see the checklist.</p>"
    urgency = a.get("urgency", "none")
    screen = screen_summary(a)
    colour = URGENCY_COLOURS[urgency] if urgency != "none" or screen.complete else UNSCREENED_COLOUR
    version = a.get("ruleset", {}).get("version", "?")
    out = [f"<h2 style='color:{colour}'>Urgency: {escape(urgency_headline(a))}</h2>",
           f"<p style='color:#5b6b78'>{escape(screen.line) + ' · ' if urgency != 'none' else ''}"
           f"{'frozen at signing · ' if frozen else ''}rule set {escape(version)}</p>"]
    for flag in a.get("red_flags", []):
        because = "; ".join((describe or label)(key) for key in flag["because"])
        out.append(f"<p style='border-left:4px solid {URGENCY_COLOURS[flag['urgency']]}; padding-left:6px'>"
                   f"<b>{flag['urgency'].upper()}: {escape(SUSPECT_LABELS.get(flag['suspects'], flag['suspects']))}"
                   f"</b><br>{escape(flag['action'])}<br><small>Because: {escape(because)} · "
                   f"{escape(', '.join(flag['sources']))}</small></p>")
    labels = {c["id"]: c["label"] for c in a.get("conditions", [])}
    working = " + ".join(labels.get(c, c) for c in a.get("working_diagnosis", [])) or "none favoured yet"
    out.append(f"<h3>Working diagnosis: {escape(working)}</h3>")
    if a.get("mixed_note"):
        out.append(f"<p><i>{escape(a['mixed_note'])}</i></p>")
    root = a.get("root_level")
    out.append(f"<p>Root level: <b>{escape(root)}</b></p>" if root else "<p>Root level: not determined</p>")
    for note in a.get("safety", []):
        out.append(f"<p style='color:#b3261e'><b>{'Safety rule' if note.get('kind') == 'rule' else 'Warning'}:</b> "
                   f"{escape(note['note'])} <small>[{escape(note['source'])}]</small></p>")
    if a.get("assess_next"):
        out.append("<h3>Assess next</h3><ol>")
        for item in a["assess_next"]:
            out.append(f"<li><a href='assess:{escape(item['finding'])}'>{escape(label(item['finding']))}"
                       f"</a>: {escape(item['why'])}</li>")
        out.append("</ol>")
    out.append("<h3>Conditions</h3>")
    for condition in a.get("conditions", []):
        if condition["verdict"] == "unlikely":
            continue
        out.append(f"<p><b>{escape(condition['label'])}</b>: {condition['verdict']} "
                   f"(score {condition.get('score', 0):+.1f})</p><ul>")
        for item in condition["evidence"]:
            mark = "+" if item["direction"] == "for" else "−"
            quality = f" <small>({escape(item['quality'])})</small>" if item.get("basis") == "lr" else ""
            out.append(f"<li>{mark} {escape(item['note'])}{quality} <small>[{escape(item['source'])}]</small></li>")
        out.append("</ul>")
    unlikely = [c["label"] for c in a.get("conditions", []) if c["verdict"] == "unlikely"]
    if unlikely:
        out.append(f"<p style='color:#5b6b78'>Unlikely: {escape('; '.join(unlikely))}</p>")
    shown = [*screen.groups, *([("Follow-up of a yes answer", screen.follow_up)] if screen.follow_up else [])]
    if shown:
        # One link per group, to its first unasked question (the questions are in the form's screen box).
        links = " · ".join(f"<a href='assess:{escape(keys[0])}'>{escape(group_label)}</a> {len(keys)}"
                           for group_label, keys in shown)
        out.append(f"<p><b>Red-flag screen, not asked yet:</b> {links}</p>")
    return "".join(out)
