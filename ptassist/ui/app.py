"""Start the desktop application."""

from __future__ import annotations

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QMessageBox

from ptassist import __version__, paths
from ptassist.services.records import Records
from ptassist.store.database import StoreError


def run_app(smoke_test: bool = False, data_dir: str | None = None) -> int:
    """Open the records in the data folder and show the main window.

    With ``smoke_test`` the app exits 0 as soon as the window is up.
    """
    app = QApplication.instance() or QApplication(sys.argv)
    folder = paths.data_dir(data_dir)
    try:
        records = Records.open(folder)
    except StoreError as exc:
        QMessageBox.critical(None, "ptassist cannot open its records", str(exc))
        return 1
    window = QMainWindow()
    window.setObjectName("main_window")
    window.setWindowTitle(f"ptassist {__version__}")
    count = records.patients.count()
    placeholder = QLabel(
        f"{count} patient(s) in {paths.database_path(folder)}.\n"
        "The desktop screens are being built; use the `ptassist` command line meanwhile."
    )
    placeholder.setMargin(24)
    window.setCentralWidget(placeholder)
    window.resize(720, 480)
    window.show()
    if smoke_test:
        QTimer.singleShot(0, app.quit)
    code = int(app.exec())
    records.close()
    return code
