"""The neuro screen: a myotome grid with MRC grades and the two reflexes."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QWidget

from ptassist.core.intake import REFLEX_VALUES
from ptassist.core.vocabulary import Vocabulary

GRADES = ("", "0", "1", "2", "3-", "3", "3+", "4-", "4", "4+", "5-", "5")
NOT_TESTED = "not tested"


class NeuroGrid(QWidget):
    """MRC grade per muscle group and reflex findings; blank means not tested."""

    changed = Signal()

    def __init__(self, vocabulary: Vocabulary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("neuro_grid")
        self.grades: dict[str, QComboBox] = {}
        self.reflexes: dict[str, QComboBox] = {}
        grid = QGridLayout(self)
        for row, (key, label) in enumerate(vocabulary.strength.items()):
            combo = QComboBox()
            combo.setObjectName(f"strength_{key}")
            combo.setAccessibleName(f"{label} MRC grade")
            for grade in GRADES:
                combo.addItem(grade or NOT_TESTED, grade)
            combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
            grid.addWidget(QLabel(label), row // 2, (row % 2) * 2)
            grid.addWidget(combo, row // 2, (row % 2) * 2 + 1)
            self.grades[key] = combo
        base = (len(vocabulary.strength) + 1) // 2
        for offset, (key, label) in enumerate(vocabulary.reflexes.items()):
            combo = QComboBox()
            combo.setObjectName(f"reflex_{key}")
            combo.setAccessibleName(label)
            combo.addItem(NOT_TESTED, "")
            for value in REFLEX_VALUES:
                combo.addItem(value, value)
            combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
            grid.addWidget(QLabel(label), base, offset * 2)
            grid.addWidget(combo, base, offset * 2 + 1)
            self.reflexes[key] = combo

    def strength(self) -> dict[str, str | int]:
        result: dict[str, str | int] = {}
        for key, combo in self.grades.items():
            grade = combo.currentData()
            if grade:
                result[key] = int(grade) if grade.isdigit() else grade
        return result

    def reflex_values(self) -> dict[str, str]:
        return {key: combo.currentData() for key, combo in self.reflexes.items() if combo.currentData()}

    def set_values(self, strength: dict[str, object], reflexes: dict[str, str]) -> None:
        for key, combo in self.grades.items():
            combo.setCurrentIndex(max(0, combo.findData(str(strength.get(key, "")))))
        for key, combo in self.reflexes.items():
            combo.setCurrentIndex(max(0, combo.findData(reflexes.get(key, ""))))
