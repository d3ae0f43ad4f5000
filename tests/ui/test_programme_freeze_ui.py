"""The exercise builder and its preview: the freeze sequence, and an empty programme."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ptassist.ui.print_dialog import PrintDialog
from tests.documents.helpers import all_text

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[2]
SEQUENCE_TIMEOUT_S = 180  # the sequence takes a few seconds; a layout loop never ends


def test_add_bridge_then_update_preview_does_not_freeze():
    """Add "Bridge" (Add, double-click, Enter), then Update preview, then resize: the preview shows."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    try:
        done = subprocess.run([sys.executable, str(ROOT / "tests" / "ui" / "freeze_sequence.py")], check=False,
                              env=env,
                              capture_output=True, text=True, timeout=SEQUENCE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the programme dialog stopped responding (no answer in {SEQUENCE_TIMEOUT_S} s)")
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["rows"] == ["Bridge"]  # no blank rows, and the same exercise prescribed once
    assert result["prescribed"] == ["bridge"]
    assert "page(s)" in result["status"]
    assert result["stored"] == result["prescribed"]


def test_an_empty_programme_says_no_exercises_chosen(qtbot, records, zoe):
    visit = records.new_visit(zoe.id, "initial_evaluation")
    dialog = PrintDialog(records, visit.id, "hep", auto_build=False)
    qtbot.addWidget(dialog)
    assert dialog.builder is not None and dialog.builder.rows == []
    dialog.build_now()
    assert "No exercises chosen" in dialog.pane.status.text()
    assert "No exercises chosen yet." in all_text(dialog.pane.pdf)


def test_removing_every_exercise_prints_none_not_the_starter_set(qtbot, records, zoe):
    itbs = {"format": "ptassist-intake/1", "side": "right", "symptoms": [{"region": "lateral_knee", "kind": "pain"}],
            "findings": {"noble_test": True, "lateral_epicondyle_tenderness": True,
                         "pain_at_predictable_point_in_activity": True}}
    visit = records.new_visit(zoe.id, "initial_evaluation", intake=itbs)
    dialog = PrintDialog(records, visit.id, "hep", auto_build=False)
    qtbot.addWidget(dialog)
    builder = dialog.builder
    while builder.rows:
        builder.table.selectRow(0)
        builder.remove_current()
    dialog.build_now()
    text = all_text(dialog.pane.pdf)
    assert "No exercises chosen yet." in text and "Side-lying leg lift" not in text
