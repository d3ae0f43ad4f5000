"""The programme-builder sequence that froze the app, run in a process of its own by
test_programme_freeze_ui.py so that a regression fails on a timeout instead of hanging the suite.

Prints one JSON line: the rows of the prescription table and the preview's status.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPushButton

from ptassist.services.records import Records
from ptassist.ui.print_dialog import PrintDialog

BUILDING = "Building preview…"


def wait_for_preview(app: QApplication, dialog: PrintDialog, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while dialog.pane.status.text() == BUILDING and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)


def main() -> None:
    app = QApplication(sys.argv)
    records = Records.open(Path(tempfile.mkdtemp()) / "data", daily_backup=False)
    patient = records.patients.add(family_name="Freeze", given_name="Test", date_of_birth="1980-03-07")
    visit = records.new_visit(patient.id, "initial_evaluation")
    dialog = PrintDialog(records, visit.id, "hep")  # builds its first preview, as when opened from the editor
    dialog.show()
    dialog.activateWindow()
    wait_for_preview(app, dialog)
    builder = dialog.builder
    assert builder is not None
    bridge = next(builder.available.item(i) for i in range(builder.available.count())
                  if builder.available.item(i).text().endswith("Bridge"))
    builder.available.scrollToItem(bridge)
    centre = builder.available.visualItemRect(bridge).center()
    QTest.mouseClick(builder.available.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    QTest.mouseClick(dialog.findChild(QPushButton, "add_exercise_button"), Qt.MouseButton.LeftButton)
    QTest.mouseDClick(builder.available.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    QTest.keyClick(builder.available, Qt.Key.Key_Return)
    QTest.mouseClick(dialog.findChild(QPushButton, "update_preview_button"), Qt.MouseButton.LeftButton)
    wait_for_preview(app, dialog)
    # The loop depended on the preview's size: walk the window through the sizes a user drags it to.
    for height in range(500, 1900, 2):
        dialog.resize(1200, height)
        app.processEvents()
    for width in range(900, 1400, 5):
        dialog.resize(width, 800)
        app.processEvents()
    table = builder.table
    rows = [table.item(r, 0).text() if table.item(r, 0) else "" for r in range(table.rowCount())]
    print(json.dumps({"rows": rows, "prescribed": [r["exercise"] for r in builder.rows],
                      "status": dialog.pane.status.text(),
                      "stored": [i["exercise"] for i in records.visits.get(visit.id).prescription]}))
    dialog.done(0)
    records.close()


if __name__ == "__main__":
    main()
