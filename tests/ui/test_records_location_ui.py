"""Settings' records location: a server URL checked, tested in one line, saved without a password
for this workstation's next start."""

from __future__ import annotations

import stat

import pytest
from PySide6.QtCore import Qt

from ptassist import paths
from ptassist.ui.settings_dialog import SettingsDialog
from tests.ui.modal import Answered, answer_next

pytestmark = pytest.mark.gui


@pytest.fixture
def dialog(qtbot, records, settings):
    opened = SettingsDialog(records, settings)
    qtbot.addWidget(opened)
    opened.show()
    return opened


def test_a_server_url_with_a_password_is_refused_with_the_pgpass_hint(qtbot, dialog, records):
    box = dialog.location
    assert box.file_choice.isChecked() and not box.url.isEnabled()
    qtbot.mouseClick(box.server_choice, Qt.MouseButton.LeftButton)
    assert box.url.isEnabled() and box.test_button.isEnabled()
    box.url.setText("postgresql://alex:s3cret@db.clinic.lan/ptassist")
    dialog.accept()
    assert ".pgpass" in dialog.error.text() and "s3cret" not in dialog.error.text()
    assert dialog.isVisible() and paths.chosen_database_url() is None
    assert paths.database_url(records.database.folder).startswith("sqlite:///")


def test_test_connection_answers_in_one_line(qtbot, dialog):
    box = dialog.location
    box.server_choice.setChecked(True)
    box.url.setText("postgresql://alex@127.0.0.1:9/ptassist?sslmode=disable")  # nothing listens on port 9
    qtbot.mouseClick(box.test_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(box.tested, timeout=15000) as answer:
        pass
    text = answer.args[0] if answer.args else box.result.text()
    assert text.startswith("Cannot connect: ") and "\n" not in text
    assert box.test_button.isEnabled()
    box.url.setText("not a url")
    qtbot.mouseClick(box.test_button, Qt.MouseButton.LeftButton)
    assert box.result.text().startswith("Not saved, not tried: that is not a database URL")


def test_a_server_chosen_in_settings_is_used_from_the_next_start(qtbot, dialog, records):
    box = dialog.location
    box.server_choice.setChecked(True)
    url = "postgresql://alex@db.clinic.lan/ptassist?sslmode=verify-full"
    box.url.setText(url)
    answered = Answered()
    answer_next("OK", answered=answered)
    dialog.accept()
    assert "from its next start" in answered.texts[0] and "db.clinic.lan/ptassist" in answered.texts[0]
    assert paths.chosen_database_url() == url
    assert paths.database_url(records.database.folder) == url  # what the next start opens
    assert stat.S_IMODE(paths.location_file().stat().st_mode) == 0o600
    assert records.database.path is not None  # the records open now stay as they are

    again = SettingsDialog(records, dialog.settings)
    qtbot.addWidget(again)
    assert again.location.server_choice.isChecked() and again.location.url.text() == url
    again.location.file_choice.setChecked(True)
    answer_next("OK")
    again.accept()
    assert paths.chosen_database_url() is None
    assert paths.database_url(records.database.folder) == f"sqlite:///{paths.database_path(records.database.folder)}"


def test_test_connection_reaches_a_real_server_and_names_a_missing_database(qtbot, dialog, pg_server):
    from sqlalchemy import make_url

    box = dialog.location
    box.server_choice.setChecked(True)
    box.url.setText(pg_server.url("postgres"))
    qtbot.mouseClick(box.test_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(box.tested, timeout=15000) as answer:
        pass
    assert answer.args[0] == "Connected: the server answers."
    box.url.setText(make_url(pg_server.url("postgres")).set(database="no_such_records").render_as_string())
    qtbot.mouseClick(box.test_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(box.tested, timeout=15000) as answer:
        pass
    assert answer.args[0].startswith("Cannot connect: the PostgreSQL server") and "no such database" in answer.args[0]
    assert "\n" not in answer.args[0]
