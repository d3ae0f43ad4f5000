"""The banner over a draft another workstation is editing: who, where, since when, and a way to re-check."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget


class LeaseBanner(QWidget):
    """Hidden while the draft can be edited here."""

    recheck_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lease_banner")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.text = QLabel()
        self.text.setObjectName("lease_banner_text")
        self.text.setWordWrap(True)
        self.recheck = QPushButton("Check again")
        self.recheck.setObjectName("lease_recheck_button")
        self.recheck.setToolTip("Open it for editing here if the other workstation has closed it")
        self.recheck.clicked.connect(self.recheck_requested.emit)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 6, 8, 6)
        row.addWidget(self.text, 1)
        row.addWidget(self.recheck)
        self.setStyleSheet("#lease_banner { background: #e8f0fe; border: 2px solid #3a6fc4; border-radius: 6px; }"
                           "#lease_banner_text { color: #1d3b6e; }")
        self.hide()

    def show_reason(self, reason: str | None) -> None:
        self.setVisible(reason is not None)
        if reason is not None:
            self.text.setText(f"<b>{escape(reason)}.</b> It is read-only here: you can read it, not change or sign "
                              "it, until it is closed there.")
