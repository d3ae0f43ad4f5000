"""Start the desktop application."""

from __future__ import annotations

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

from ptassist import __version__


def run_app(smoke_test: bool = False) -> int:
    """Show the main window; with ``smoke_test`` exit 0 as soon as it is up."""
    app = QApplication.instance() or QApplication(sys.argv)
    window = QMainWindow()
    window.setObjectName("main_window")
    window.setWindowTitle(f"ptassist {__version__}")
    placeholder = QLabel("ptassist is being built: use `ptassist assess FILE` for the checklist today.")
    placeholder.setMargin(24)
    window.setCentralWidget(placeholder)
    window.resize(720, 480)
    window.show()
    if smoke_test:
        QTimer.singleShot(0, app.quit)
    return int(app.exec())
