"""Issue 12 point 4 in the window: an older copy of the records than this workstation saw opens
with the banner saying so."""

from __future__ import annotations

import shutil

import pytest

from ptassist import paths
from ptassist.ui.app import ui_settings
from ptassist.ui.main_window import MainWindow
from tests.helpers import TEST_PASSWORD, open_clinic
from tests.store.conftest import INTAKE

pytestmark = pytest.mark.gui


def test_a_rolled_back_file_opens_with_the_banner_saying_so(qtbot, tmp_path):
    folder = tmp_path / "data"
    records = open_clinic(folder)
    patient = records.patients.add(family_name="Okafor", given_name="Chidi", date_of_birth="1979-05-02")
    for _ in range(2):
        visit = records.new_visit(patient.id, "follow_up", intake=INTAKE)
        records.sign(visit.id, TEST_PASSWORD)
        if _ == 0:
            records.close()
            shutil.copy(paths.database_path(folder), tmp_path / "older.db")
            records = open_clinic(folder)
    records.close()
    shutil.copy(tmp_path / "older.db", paths.database_path(folder))
    for suffix in ("-wal", "-shm"):
        folder.joinpath(f"ptassist.db{suffix}").unlink(missing_ok=True)
    records = open_clinic(folder)
    try:
        window = MainWindow(records, ui_settings(tmp_path / "ui"))
        qtbot.addWidget(window)
        window.show()
        banner = window.read_only_banner
        assert banner.isVisible()
        assert "the records end at 2 signed entries but this workstation last saw 3" in banner.text()
        if shot := __import__("os").environ.get("PTASSIST_SCREENSHOT"):
            window.grab().save(shot)
        window.close()
    finally:
        records.close()
