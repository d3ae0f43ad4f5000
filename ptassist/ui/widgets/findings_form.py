"""The findings form, generated from the vocabulary: one tri-state row per finding, by group."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDoubleSpinBox, QFormLayout, QGroupBox, QLabel, QVBoxLayout, QWidget

from ptassist.core.vocabulary import GROUPS_ORDER, Finding, Vocabulary
from ptassist.ui.widgets.tristate import TriState

UNRECORDED = -1.0


class FindingsForm(QWidget):
    """History, medical screen (phrased as questions), examination and neurodynamic findings."""

    changed = Signal()

    def __init__(self, vocabulary: Vocabulary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vocabulary = vocabulary
        self.widgets: dict[str, TriState | QDoubleSpinBox] = {}
        self.groups: dict[str, QGroupBox] = {}
        layout = QVBoxLayout(self)
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
                form.addRow(label, widget)
            self.groups[group] = box
            layout.addWidget(box)

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


def _help(finding: Finding) -> str:
    text = finding.help
    if finding.accuracy is not None:
        text += "\n\n" + finding.accuracy.summary()
    return text
