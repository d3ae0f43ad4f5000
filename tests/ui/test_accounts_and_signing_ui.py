"""Signing asks for the password and signs as the logged-in clinician; assistants see why they
cannot; administrators list, add and reset accounts."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QLineEdit

from ptassist.security.argon2_params import TEST_ONLY
from ptassist.services.account_admin import reset_password
from ptassist.services.identity import NotAllowed, log_in
from ptassist.ui.accounts_dialog import AccountsDialog
from tests.helpers import TEST_PASSWORD, add_clinician
from tests.ui.modal import answer_next, type_password

pytestmark = pytest.mark.gui

NEW_PASSWORD = "a second long passphrase"


@pytest.fixture
def editor(window, zoe):
    window.open_patient(zoe.id)
    window.chart.new_visit()
    return window.editor


def test_a_wrong_password_is_said_in_the_dialog_and_the_right_one_signs(qtbot, editor, records):
    seen: list[str] = []

    def wrong_then_right(dialog):
        edit = dialog.findChild(QLineEdit, "confirm_password")
        assert edit.echoMode() == QLineEdit.EchoMode.Password
        edit.setText("not my password")
        dialog.findChild(type(dialog.buttons.buttons()[0]), "password_ok_button").click()
        seen.append(dialog.findChild(QLabel, "password_error").text())
        assert dialog.isVisible() and records.visits.get(editor.visit.id).status == "draft"
        edit.setText(TEST_PASSWORD)
        dialog.findChild(type(dialog.buttons.buttons()[0]), "password_ok_button").click()

    answer_next(wrong_then_right)
    qtbot.mouseClick(editor.sign_button, Qt.MouseButton.LeftButton)
    assert seen == ["Unknown user or wrong password."]
    visit = records.visits.get(editor.visit.id)
    assert visit.signed and visit.signed_by == "Alex Carter"


def test_an_assistant_sees_sign_disabled_with_the_reason(qtbot, records, settings, zoe):
    from ptassist.ui.main_window import MainWindow

    visit = records.new_visit(zoe.id, "initial_evaluation")
    assistant = add_clinician(records, "Sam Lee", roles=("assistant",))
    window = MainWindow(assistant, settings, signed_in=assistant.actor)
    qtbot.addWidget(window)
    window.show()
    window.open_patient(zoe.id)
    window.open_visit(visit.id)
    button = window.editor.sign_button
    assert not button.isEnabled() and "Sam Lee is an assistant" in button.toolTip()
    window.editor.sign()  # Ctrl+Enter too: nothing happens, no dialog
    assert assistant.visits.get(visit.id).status == "draft"
    with pytest.raises(NotAllowed):  # and the services refuse it anyway
        assistant.sign(visit.id, TEST_PASSWORD)
    assert not window.findChild(QAction, "accounts_action").isVisible()
    window.editor.leave()
    window.close()
    assistant.close()


def test_the_administrator_adds_a_user_with_the_policy_said_inline(qtbot, window, records):
    assert window.findChild(QAction, "accounts_action").isVisible()
    dialog = AccountsDialog(records, parent=window)
    qtbot.addWidget(dialog)
    assert dialog.account_names() == ["Alex Carter"]
    qtbot.keyClicks(dialog.new_details.name, "Priya Nair")
    qtbot.keyClicks(dialog.new_details.credentials, "PT")
    qtbot.keyClicks(dialog.new_details.registration, "PT 7781")
    dialog.roles["clinician"].setChecked(True)
    qtbot.keyClicks(dialog.new_password.first, "short one")
    qtbot.keyClicks(dialog.new_password.second, "short one")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert "too short" in dialog.add_error.text() and dialog.account_names() == ["Alex Carter"]
    assert dialog.new_details.name.text() == "Priya Nair"  # kept for the correction
    dialog.new_password.clear()
    qtbot.keyClicks(dialog.new_password.first, NEW_PASSWORD)
    qtbot.keyClicks(dialog.new_password.second, NEW_PASSWORD)
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert dialog.add_error.text() == ""
    assert sorted(dialog.account_names()) == ["Alex Carter", "Priya Nair"]
    priya = log_in(records.database.folder, "Priya Nair", NEW_PASSWORD, params=TEST_ONLY)
    assert priya.account.can_sign and not priya.account.is_administrator
    assert priya.account.registration == "PT 7781"


def test_the_administrator_resets_a_password(qtbot, window, records):
    add_clinician(records, "Priya Nair").close()
    dialog = AccountsDialog(records, parent=window)
    qtbot.addWidget(dialog)
    assert not dialog.reset_button.isEnabled()
    dialog.table.selectRow(dialog.account_names().index("Priya Nair"))
    assert dialog.reset_button.isEnabled() and "Priya Nair" in dialog.reset_for.text()
    qtbot.keyClicks(dialog.reset_fields.first, NEW_PASSWORD)
    qtbot.keyClicks(dialog.reset_fields.second, NEW_PASSWORD)
    qtbot.mouseClick(dialog.reset_button, Qt.MouseButton.LeftButton)
    assert "is reset" in dialog.reset_error.text()
    assert log_in(records.database.folder, "Priya Nair", NEW_PASSWORD, params=TEST_ONLY).account.name == "Priya Nair"
    assert "account" in [event.action for event in records.audit.events("account")]


def test_only_an_administrator_may_reset_a_password(records):
    clinician = add_clinician(records, "Priya Nair")
    with pytest.raises(NotAllowed, match="only an administrator"):
        reset_password(clinician, "Alex Carter", NEW_PASSWORD)
    clinician.close()


def test_demo_patients_are_signed_as_the_logged_in_clinician_after_the_password(qtbot, window, records, monkeypatch):
    from ptassist.ui import main_window

    monkeypatch.setattr(main_window, "DEMO_PATIENTS", 2)
    answer_next(type_password(TEST_PASSWORD))
    window.load_demo()
    qtbot.waitUntil(lambda: records.patients.count() == 2, timeout=30000)
    signed = [records.visits.get(v.id) for p in records.patients.page(limit=5) for v in records.visits.history(p.id)
              if v.status == "signed"]
    assert signed and {v.signed_by for v in signed} == {"Alex Carter"}


def test_settings_are_read_only_for_an_account_that_is_not_an_administrator(qtbot, records, settings):
    from ptassist.ui.settings_dialog import SettingsDialog

    clinician = add_clinician(records, "Priya Nair")
    dialog = SettingsDialog(clinician, settings)
    qtbot.addWidget(dialog)
    assert not dialog.clinic_name.isEnabled() and not dialog.idle_minutes.isEnabled()
    assert "only an administrator" in dialog.error.text()
    dialog.clinic_name.setText("Changed anyway")
    dialog.accept()
    dialog.backup_now()
    assert clinician.settings.get().name != "Changed anyway"
    assert "only an administrator" in dialog.backup_label.text()
    clinician.close()
