"""Start-up: the window lists patients before the records (ORM) have loaded; recent patients."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QPushButton

from ptassist import paths
from ptassist.services.records import Records
from ptassist.store.errors import StoreError
from ptassist.store.patient_directory import PatientDirectory
from ptassist.ui.main_window import MainWindow
from ptassist.ui.records_loader import RecordsLoader
from ptassist.ui.session import RECENT_COUNT, RECENT_KEY, recent_ids, remember_recent

pytestmark = pytest.mark.gui


@pytest.fixture
def directory(records):
    opened = PatientDirectory.open(paths.database_path(records.database.folder))
    assert opened is not None
    yield opened
    opened.close()


def test_the_window_lists_and_searches_patients_before_the_records_load(qtbot, records, settings, zoe, directory):
    records.patients.add(family_name="Smith", given_name="Jo", date_of_birth="1970-01-01")
    calls = []

    def open_records():
        calls.append("opened")
        return Records.open(records.database.folder, daily_backup=False)

    loader = RecordsLoader(open_records)
    window = MainWindow(loader, settings, patients=directory)
    qtbot.addWidget(window)
    window.show()
    assert calls == []  # nothing has asked for the records yet
    assert [p.family_name for p in window.patients.model.patients] == ["Müller", "Smith"]
    qtbot.keyClicks(window.patients.search, "zoe")
    qtbot.waitUntil(lambda: [p.id for p in window.patients.model.patients] == [zoe.id], timeout=2000)
    assert calls == []
    window.open_patient(zoe.id)  # needs the records: waits for them
    assert calls == ["opened"]
    assert window.stack.currentWidget() is window.chart
    assert "Müller, Zoë" in window.chart.header.text()
    window.close_records()


def test_the_loader_reports_a_failure_to_open(qtbot):
    failures = []

    def broken():
        raise StoreError("the disk holding the database is full")

    loader = RecordsLoader(broken)
    loader.when_ready(lambda _records: failures.append("ready?"), lambda exc, _details: failures.append(str(exc)))
    loader.start()
    qtbot.waitUntil(lambda: failures != [], timeout=5000)
    assert failures == ["the disk holding the database is full"]
    with pytest.raises(StoreError, match="disk"):
        loader.result()


def test_recent_patients_are_offered_most_recent_first(qtbot, window, records, settings, zoe):
    smith = records.patients.add(family_name="Smith", given_name="Jo", date_of_birth="1970-01-01")
    window.show_patients()
    assert not window.patients.recent_box.isVisibleTo(window)  # nothing opened yet
    for patient in (zoe, smith):
        window.open_patient(patient.id)
        window.show_patients()
    buttons = window.patients.recent_box.findChildren(QPushButton, "recent_patient_button")
    assert [b.text() for b in buttons] == ["Smith, Jo", "Müller, Zoë"]
    assert window.patients.recent_box.isVisibleTo(window)
    buttons[1].click()
    assert window.stack.currentWidget() is window.chart
    assert "Müller, Zoë" in window.chart.header.text()
    assert recent_ids(settings) == [zoe.id, smith.id]
    saved = (records.database.folder / "ui-settings.ini")
    settings.sync()
    assert "Müller" not in saved.read_text(encoding="utf-8")  # ids only, never names


def test_recent_list_is_bounded_and_skips_what_it_cannot_read(settings):
    for patient_id in range(1, RECENT_COUNT + 4):
        remember_recent(settings, patient_id)
    assert recent_ids(settings) == list(range(RECENT_COUNT + 3, 3, -1))
    settings.setValue(RECENT_KEY, ["7", "junk", None])
    assert recent_ids(settings) == [7]
