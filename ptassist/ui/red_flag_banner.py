"""A banner across the editor for urgent and emergency red flags: icon, words and colour."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QStyle, QWidget

from ptassist.core.report import SUSPECT_LABELS

STYLES = {"emergency": ("#fdecea", "#b3261e"), "urgent": ("#fff3e0", "#b85c00")}


class RedFlagBanner(QFrame):
    """Hidden unless an urgent or emergency flag fired; stays until the visit is signed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("red_flag_banner")
        self.setAccessibleName("Red flag")
        self.icon = QLabel()
        self.icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical).pixmap(32, 32))
        self.text = QLabel()
        self.text.setObjectName("red_flag_text")
        self.text.setWordWrap(True)
        layout = QHBoxLayout(self)
        layout.addWidget(self.icon)
        layout.addWidget(self.text, 1)
        self.hide()

    def show_flags(self, assessment: dict[str, Any]) -> None:
        urgency = assessment.get("urgency", "none")
        flags = [f for f in assessment.get("red_flags", []) if f["urgency"] in ("emergency", "urgent")]
        if urgency not in STYLES or not flags:
            self.hide()
            return
        background, colour = STYLES[urgency]
        self.setStyleSheet(f"#red_flag_banner {{ background: {background}; border: 2px solid {colour}; "
                           f"border-radius: 6px; }} QLabel {{ color: {colour}; }}")
        lines = [f"<b>{f['urgency'].upper()}: {SUSPECT_LABELS.get(f['suspects'], f['suspects'])} suspected.</b> "
                 f"{f['action']}" for f in flags]
        self.text.setText("<br>".join(lines))
        self.setAccessibleDescription(self.text.text())
        self.show()
