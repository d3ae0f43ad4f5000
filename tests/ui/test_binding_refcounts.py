"""The Qt binding must not drop references to True or None when signals fire.

PySide6 6.12.0 does (a tri-state finding clicked a few hundred times ended the app with
"Fatal Python error: bool_dealloc"), so pyproject.toml keeps it out. This runs the widgets that hit
it in a child process, where such a fault fails the test instead of killing the test run.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.gui

CHILD = """
import sys
from PySide6.QtWidgets import QApplication, QComboBox
app = QApplication([])
from ptassist.ui.widgets.tristate import TriState

def references():
    return sys.getrefcount(True) + sys.getrefcount(False) + sys.getrefcount(None)

finding = TriState("noble_test", "Noble compression test")
changes = []
finding.changed.connect(lambda: changes.append(1))
combo = QComboBox()
combo.addItems(["not tested", "5", "4"])
combo.currentIndexChanged.connect(lambda index: None)
for _ in range(2):  # warm up: first calls create lasting caches
    finding.set_value(True)
    combo.setCurrentIndex(1)
before = references()
for n in range(1500):
    finding.set_value((True, False, None)[n % 3])
    combo.setCurrentIndex(n % 3)
app.processEvents()
print(references() - before, len(changes))
"""


def test_signals_keep_references_to_true_false_and_none():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, env=env, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    drift, changes = (int(word) for word in done.stdout.split())
    assert changes >= 1500  # the signals really fired
    assert abs(drift) < 100, f"references to True/False/None drifted by {drift} over 3000 changes"
