"""Not assessed / positive / negative: the three states every finding can be in."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QRadioButton, QWidget

STATES: tuple[tuple[str, bool | None], ...] = (("Not assessed", None), ("Yes", True), ("No", False))


class TriState(QWidget):
    """Three exclusive radio buttons; ``value`` is None, True or False."""

    changed = Signal()

    def __init__(self, name: str, label: str, yes: str = "Yes", no: str = "No", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"finding_{name}")
        self.setAccessibleName(label)
        self.group = QButtonGroup(self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.buttons: list[QRadioButton] = []
        for index, (text, _value) in enumerate(STATES):
            shown = {1: yes, 2: no}.get(index, text)
            button = QRadioButton(shown)
            button.setObjectName(f"finding_{name}_{('unknown', 'yes', 'no')[index]}")
            button.setAccessibleName(f"{label}: {shown}")
            self.group.addButton(button, index)
            layout.addWidget(button)
            self.buttons.append(button)
        layout.addStretch()
        self.buttons[0].setChecked(True)
        self.group.idToggled.connect(self._toggled)

    def _toggled(self, _id: int, checked: bool) -> None:
        if checked:
            self.changed.emit()

    @property
    def value(self) -> bool | None:
        return STATES[self.group.checkedId()][1]

    def set_value(self, value: bool | None) -> None:
        index = {None: 0, True: 1, False: 2}[value]
        self.buttons[index].setChecked(True)
