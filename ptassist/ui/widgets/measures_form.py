"""Outcome measures with live scoring: NPRS, LEFS, ODI, PSFS and STarT Back.

Item topics are short descriptions in our own words; the questionnaires' own wording is
copyrighted and is collected on the clinic's licensed forms.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLabel, QLineEdit, QSpinBox, QVBoxLayout, QWidget

from ptassist.core.measures import MeasureError, load_measures, score_visit_measures

BLANK = "—"


def _combo(name: str, label: str, top: int) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    combo.setAccessibleName(label)
    combo.addItem(BLANK, None)
    for value in range(top + 1):
        combo.addItem(str(value), value)
    return combo


class MeasuresForm(QWidget):
    """Item scores in, published totals out (as you type)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("measures_form")
        measures = load_measures()
        layout = QVBoxLayout(self)
        self.nprs = QSpinBox()
        self.nprs.setObjectName("measure_nprs")
        self.nprs.setAccessibleName("NPRS pain now, 0 to 10")
        self.nprs.setRange(-1, 10)
        self.nprs.setSpecialValueText("not recorded")
        self.nprs.setValue(-1)
        self.nprs.valueChanged.connect(self._changed)
        self.totals: dict[str, QLabel] = {}
        box = QGroupBox("NPRS: pain now (0 = no pain, 10 = worst imaginable)")
        form = QFormLayout(box)
        form.addRow("Score", self.nprs)
        layout.addWidget(box)
        self.items: dict[str, list[QComboBox]] = {}
        for key, top in (("LEFS", 4), ("ODI", 5), ("STarTBack", 1)):
            definition = measures[key]
            box = QGroupBox(f"{definition.label} ({key})")
            form = QFormLayout(box)
            combos = []
            for number, topic in enumerate(definition.item_topics, start=1):
                item_top = 4 if key == "STarTBack" and number == 9 else top
                combo = _combo(f"measure_{key.lower()}_{number}", f"{key} item {number}: {topic}", item_top)
                combo.currentIndexChanged.connect(self._changed)
                form.addRow(f"{number}. {topic}", combo)
                combos.append(combo)
            total = QLabel("not scored")
            total.setObjectName(f"measure_{key.lower()}_total")
            form.addRow("Total", total)
            self.totals[key] = total
            self.items[key] = combos
            layout.addWidget(box)
        box = QGroupBox("PSFS: activities the patient finds hard (0 = unable, 10 = as before)")
        form = QFormLayout(box)
        self.activities: list[tuple[QLineEdit, QSpinBox]] = []
        for number in range(1, 4):
            name = QLineEdit(placeholderText="activity")
            name.setObjectName(f"measure_psfs_activity_{number}")
            name.setAccessibleName(f"PSFS activity {number}")
            score = QSpinBox()
            score.setObjectName(f"measure_psfs_score_{number}")
            score.setAccessibleName(f"PSFS activity {number} score, 0 to 10")
            score.setRange(-1, 10)
            score.setSpecialValueText("—")
            score.setValue(-1)
            name.textChanged.connect(self._changed)
            score.valueChanged.connect(self._changed)
            form.addRow(name, score)
            self.activities.append((name, score))
        self.totals["PSFS"] = QLabel("not scored")
        self.totals["PSFS"].setObjectName("measure_psfs_total")
        form.addRow("Average", self.totals["PSFS"])
        layout.addWidget(box)
        self.error = QLabel()
        self.error.setObjectName("measures_error")
        layout.addWidget(self.error)

    def _changed(self, *_args: Any) -> None:
        self._show_totals()
        self.changed.emit()

    def values(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        if self.nprs.value() >= 0:
            result["NPRS"] = {"value": self.nprs.value()}
        for key, combos in self.items.items():
            answers = [c.currentData() for c in combos]
            if any(a is not None for a in answers):
                result[key] = {"items": answers}
        activities = [{"name": n.text().strip(), "score": s.value()} for n, s in self.activities if s.value() >= 0]
        if activities:
            result["PSFS"] = {"activities": activities}
        return result

    def set_values(self, measures: dict[str, Any]) -> None:
        self.nprs.setValue(int(measures.get("NPRS", {}).get("value", -1)))
        for key, combos in self.items.items():
            answers = measures.get(key, {}).get("items", [None] * len(combos))
            for combo, answer in zip(combos, answers, strict=False):
                combo.setCurrentIndex(max(0, combo.findData(answer)))
        activities = measures.get("PSFS", {}).get("activities", [])
        for (name, score), activity in zip(self.activities, [*activities, {}, {}, {}], strict=False):
            name.setText(activity.get("name", ""))
            score.setValue(int(activity.get("score", -1)))
        self._show_totals()

    def _show_totals(self) -> None:
        try:
            scores = score_visit_measures(self.values())
            self.error.setText("")
        except MeasureError as exc:
            self.error.setText(str(exc))
            return
        for key, label in self.totals.items():
            score = scores.get(key)
            if score is None:
                label.setText("not scored")
            elif score.value is None:
                label.setText(score.message)
            else:
                extra = f" ({score.band})" if score.band else ""
                label.setText(f"{score.value:g}{extra}" + (f" · {score.message}" if score.message else ""))
