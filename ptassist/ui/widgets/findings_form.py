"""The findings form, generated from the vocabulary: one tri-state row per finding, by group.

Above the groups, the red-flag screen of the rule set: one "All negative" button per screening
group records every unanswered question of it explicitly as "no" (never overwriting a "yes").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ptassist.core.ruleset import ScreenGroup, load_ruleset
from ptassist.core.vocabulary import GROUPS_ORDER, Finding, Vocabulary
from ptassist.ui.widgets.tristate import TriState

UNRECORDED = -1.0


class FindingsForm(QWidget):
    """History, medical screen (phrased as questions), examination and neurodynamic findings."""

    changed = Signal()

    def __init__(self, vocabulary: Vocabulary, parent: QWidget | None = None,
                 screen: Sequence[ScreenGroup] | None = None) -> None:
        super().__init__(parent)
        self.vocabulary = vocabulary
        self.widgets: dict[str, TriState | QDoubleSpinBox] = {}
        self.background_notes: dict[str, QLabel] = {}
        self.background: dict[str, tuple[str, ...]] = {}  # finding -> the background items answering it
        self.groups: dict[str, QGroupBox] = {}
        self.screen_groups = tuple(load_ruleset().screen if screen is None else screen)
        layout = QVBoxLayout(self)
        layout.addWidget(self._screen_box())
        for group in GROUPS_ORDER:
            box = QGroupBox(vocabulary.groups[group])
            box.setObjectName(f"group_{group}")
            form = QFormLayout(box)
            for finding in vocabulary.by_group(group):
                label = QLabel(finding.ask if group == "medical_screen" and finding.ask else finding.label)
                label.setWordWrap(True)
                label.setMinimumWidth(340)
                label.setToolTip(_help(finding))
                widget = self._widget(finding)
                widget.setToolTip(_help(finding))
                label.setBuddy(widget)
                form.addRow(label, self._with_note(finding, widget))
            self.groups[group] = box
            layout.addWidget(box)

    def _with_note(self, finding: Finding, widget: QWidget) -> QWidget:
        """A yes/no row with room for its "from background" note."""
        if finding.type != "bool":
            return widget
        cell = QWidget()
        row = QHBoxLayout(cell)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(widget, 1)
        note = QLabel()
        note.setObjectName(f"background_note_{finding.id}")
        note.setStyleSheet("color: #24465e; font-style: italic;")
        note.hide()
        row.addWidget(note)
        self.background_notes[finding.id] = note
        return cell

    def set_background(self, answers: dict[str, tuple[str, ...]]) -> None:
        """Mark the findings the patient's background answers "yes" (the visit's own answer overrides)."""
        self.background = dict(answers)
        self.refresh_background_notes()

    def refresh_background_notes(self) -> None:
        for fid, note in self.background_notes.items():
            items = self.background.get(fid)
            widget = self.widgets[fid]
            if not items:
                note.hide()
                continue
            because = ", ".join(items)
            own = widget.value if isinstance(widget, TriState) else None
            if own is None:
                note.setText(f"Yes — from background ({because})")
            else:
                note.setText(f"Background says yes ({because}); this visit: {'yes' if own else 'no'}")
            note.setToolTip("Recorded in the patient's background. Answer here to override it for this visit; "
                            "“Not assessed” uses the background again.")
            note.show()

    def _screen_box(self) -> QGroupBox:
        box = QGroupBox("Red-flag screen")
        box.setObjectName("group_red_flag_screen")
        rows = QVBoxLayout(box)
        hint = QLabel("Ask every question below the screen groups; “All negative” records each unanswered "
                      "question of a group as “no”. Until all are answered the checklist says the screen is "
                      "incomplete.")
        hint.setWordWrap(True)
        rows.addWidget(hint)
        for group in self.screen_groups:
            row = QHBoxLayout()
            asked = [self._screen_question(item.keys) for item in group.items]
            label = QLabel(f"{group.label}: " + "; ".join(asked))
            label.setWordWrap(True)
            button = QPushButton("All negative")
            button.setObjectName(f"screen_all_negative_{group.id}")
            button.setAccessibleName(f"{group.label}: all negative")
            button.setToolTip("Record every unanswered question of this group as “no”. Age and temperature "
                              "are entered as values.")
            button.clicked.connect(lambda _checked=False, g=group: self.all_negative(g))
            row.addWidget(label, 1)
            row.addWidget(button)
            rows.addLayout(row)
        return box

    def _screen_question(self, keys: tuple[str, ...]) -> str:
        finding = self.vocabulary.findings.get(keys[0])
        return finding.label if finding else keys[0].replace("_", " ")

    def all_negative(self, group: ScreenGroup) -> list[str]:
        """Record each unanswered yes/no question of a screening group as "no"; return their ids."""
        recorded: list[str] = []
        for item in group.items:
            widgets = [self.widgets.get(key) for key in item.keys]
            if any(w is not None and _answered(w) for w in widgets) or any(k in self.background for k in item.keys):
                continue  # answered, here or by the background: "all negative" never contradicts a yes
            tri = next((w for w in widgets if isinstance(w, TriState)), None)
            if tri is not None:
                tri.blockSignals(True)
                tri.set_value(False)
                tri.blockSignals(False)
                recorded.append(item.key)
        if recorded:
            self.changed.emit()
        return recorded

    def _widget(self, finding: Finding) -> TriState | QDoubleSpinBox:
        if finding.type == "number":
            spin = QDoubleSpinBox()
            spin.setObjectName(f"finding_{finding.id}")
            spin.setAccessibleName(finding.label)
            spin.setRange(UNRECORDED, finding.maximum or 1000)
            spin.setSpecialValueText("not recorded")
            spin.setValue(UNRECORDED)
            spin.setDecimals(1)
            spin.setSuffix(f" {finding.unit}" if finding.unit else "")
            spin.valueChanged.connect(lambda _v: self.changed.emit())
            self.widgets[finding.id] = spin
            return spin
        yes, no = ("Positive", "Negative") if finding.group in ("examination", "neurodynamic") else ("Yes", "No")
        tri = TriState(finding.id, finding.label, yes=yes, no=no)
        tri.changed.connect(self.changed.emit)
        tri.changed.connect(self.refresh_background_notes)
        self.widgets[finding.id] = tri
        return tri

    def values(self) -> dict[str, Any]:
        """Only assessed findings: an absent key means not assessed."""
        result: dict[str, Any] = {}
        for fid, widget in self.widgets.items():
            if isinstance(widget, TriState):
                if widget.value is not None:
                    result[fid] = widget.value
            else:
                finding = self.vocabulary.findings[fid]
                if widget.value() != UNRECORDED and widget.value() >= (finding.minimum or 0):
                    result[fid] = widget.value()
        return result

    def set_values(self, values: dict[str, Any]) -> None:
        for fid, widget in self.widgets.items():
            widget.blockSignals(True)
            if isinstance(widget, TriState):
                widget.set_value(values.get(fid))
            else:
                widget.setValue(float(values.get(fid, UNRECORDED)))
            widget.blockSignals(False)
        self.refresh_background_notes()


def _answered(widget: TriState | QDoubleSpinBox) -> bool:
    if isinstance(widget, TriState):
        return widget.value is not None
    return widget.value() != UNRECORDED


def _help(finding: Finding) -> str:
    text = finding.help
    if finding.accuracy is not None:
        text += "\n\n" + finding.accuracy.summary()
    return text
