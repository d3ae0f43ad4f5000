"""The window the app opens on: the first start (then the recovery key once), the login screen
with its inline refusals, and "Forgot password?" with the recovery key."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QLabel

from ptassist.security.argon2_params import TEST_ONLY
from ptassist.security.keyfile import load as load_keys
from ptassist.security.signing import fingerprint
from ptassist.services.identity import clinic_state, log_in, set_up
from ptassist.ui.start_window import StartWindow
from tests.documents.helpers import all_text
from tests.helpers import TEST_PASSWORD, clinic

pytestmark = pytest.mark.gui

KEY_PATTERN = re.compile(r"^([0-9A-Z]{5}-){7}[0-9A-Z]{5}$")


@pytest.fixture
def folder(tmp_path):
    return tmp_path / "data"


def start_window(qtbot, folder, *, first_start):
    window = StartWindow(folder, first_start=first_start, params=TEST_ONLY)
    qtbot.addWidget(window)
    window.show()
    return window


def fill_first_start(qtbot, screen, password="a long clinic passphrase", again=None):
    details = screen.details
    qtbot.keyClicks(details.name, "Alex Carter")
    qtbot.keyClicks(details.credentials, "PT, DPT")
    qtbot.keyClicks(details.registration, "PT 40213")
    qtbot.keyClicks(details.contact, "alex@riverside.example")
    qtbot.keyClicks(screen.passwords.first, password)
    qtbot.keyClicks(screen.passwords.second, password if again is None else again)


def test_the_shell_tells_a_first_start_from_a_login_as_the_identity_service_does(folder):
    from ptassist import paths
    from ptassist.security.keyfile import KEYFILE_NAME
    from ptassist.ui import app_shell

    assert paths.KEYS_FILENAME == KEYFILE_NAME  # the shell looks for the key file without loading it
    assert app_shell.clinic_state(folder) == clinic_state(folder) == "first_start"
    clinic(folder)
    assert app_shell.clinic_state(folder) == clinic_state(folder) == "login"


def test_first_start_says_the_policy_inline_and_keeps_what_was_typed(qtbot, folder):
    window = start_window(qtbot, folder, first_start=True)
    screen = window.first_start
    assert window.stack.currentWidget() is screen
    assert screen.encrypt.isChecked()  # encryption is the default
    assert "--unencrypted" in screen.findChild(QLabel, "encrypt_explanation").text()
    fill_first_start(qtbot, screen, password="short")
    assert "too short" in screen.passwords.message.text() and "(this one has 5)" in screen.passwords.message.text()
    qtbot.mouseClick(screen.create_button, Qt.MouseButton.LeftButton)
    assert "too short" in screen.error.text()
    assert clinic_state(folder) == "first_start"  # nothing was set up
    screen.passwords.clear()
    qtbot.keyClicks(screen.passwords.first, "a long clinic passphrase")
    qtbot.keyClicks(screen.passwords.second, "a long clinic passphrase!")
    qtbot.mouseClick(screen.create_button, Qt.MouseButton.LeftButton)
    assert screen.error.text() == "The two passwords are not the same."
    assert screen.details.registration.text() == "PT 40213"  # nothing typed is lost


def test_first_start_fields_start_at_one_edge(qtbot, folder):
    """The details form and the password form sit one above the other: their fields line up."""
    window = start_window(qtbot, folder, first_start=True)
    screen = window.first_start
    fields = (screen.details.name, screen.details.contact, screen.passwords.first, screen.passwords.second)
    qtbot.waitUntil(lambda: all(field.isVisible() for field in fields))
    edges = {field.mapTo(screen, field.rect().topLeft()).x() for field in fields}
    assert len(edges) == 1, edges


def test_first_start_creates_the_administrator_and_shows_the_recovery_key_once(qtbot, folder, tmp_path):
    window = start_window(qtbot, folder, first_start=True)
    screen = window.first_start
    fill_first_start(qtbot, screen)
    screen.encrypt.setChecked(False)
    qtbot.mouseClick(screen.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.recovery_key is not None and window.stack.currentWidget() is window.recovery_key,
                    timeout=20000)
    shown = window.recovery_key.key_label.text()
    assert KEY_PATTERN.match(shown)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "recovery.pdf"))
    window.recovery_key.print_to(printer)
    printed = all_text((tmp_path / "recovery.pdf").read_bytes())
    assert shown.replace("-", "") in printed.replace("-", "").replace(" ", "")
    root = fingerprint(load_keys(folder / "ptassist.keys").accounts[0].keys.public_key)
    assert root in window.recovery_key.fingerprints.text()  # the clinic's root key, anchored on paper too
    assert root.replace("-", "") in printed.replace("-", "").replace(" ", "")
    with qtbot.waitSignal(window.signed_in, timeout=5000) as signal:
        qtbot.mouseClick(window.recovery_key.stored_button, Qt.MouseButton.LeftButton)
    signed_in = signal.args[0]
    assert signed_in.account.name == "Alex Carter"
    assert signed_in.account.is_administrator and signed_in.account.can_sign
    assert signed_in.encrypted is False
    assert window.recovery_key.key_label.text() == ""  # shown once: it leaves the screen
    assert clinic_state(folder) == "login"
    assert log_in(folder, "Alex Carter", "a long clinic passphrase", params=TEST_ONLY).account.name == "Alex Carter"
    assert "a long clinic passphrase" not in (folder / "ptassist.keys").read_text(encoding="utf-8")


def test_login_says_a_wrong_password_and_the_lockout_inline_then_logs_in(qtbot, folder):
    clinic(folder, name="Alex Carter")
    window = start_window(qtbot, folder, first_start=False)
    form = window.login.form
    assert window.stack.currentWidget() is window.login
    qtbot.keyClicks(form.name, "Alex Carter")
    messages = []
    for _attempt in range(5):  # 3 free attempts, then a delay
        qtbot.keyClicks(form.password, "not the password")
        qtbot.mouseClick(form.button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: form.button.isEnabled() and form.error.text() != "Checking…", timeout=10000)
        messages.append(form.error.text())
        assert form.password.text() == ""  # a refused password is not kept
    assert messages[0] == "Unknown user or wrong password."
    assert "Too many failed attempts" in messages[-1] and "try again in" in messages[-1]
    assert not window.isHidden()


def test_login_with_the_right_password_emits_who_logged_in(qtbot, folder):
    clinic(folder, name="Alex Carter")
    window = start_window(qtbot, folder, first_start=False)
    form = window.login.form
    qtbot.keyClicks(form.name, "alex carter")  # names match whatever their case
    qtbot.keyClicks(form.password, TEST_PASSWORD)
    with qtbot.waitSignal(window.signed_in, timeout=10000) as signal:
        qtbot.keyClick(form.password, Qt.Key.Key_Return)
    assert signal.args[0].account.name == "Alex Carter"


def test_forgot_password_resets_it_with_the_recovery_key(qtbot, folder):
    _signed_in, recovery_key = set_up(folder, name="Alex Carter", password=TEST_PASSWORD, credentials="PT",
                                      registration="PT 1", encrypted=False, params=TEST_ONLY)
    window = start_window(qtbot, folder, first_start=False)
    qtbot.mouseClick(window.login.forgot, Qt.MouseButton.LeftButton)
    screen = window.forgot
    assert window.stack.currentWidget() is screen
    wrong = list(recovery_key)
    wrong[1] = "0" if wrong[1] != "0" else "1"  # one mistyped character: the group is named
    qtbot.keyClicks(screen.key, "".join(wrong))
    qtbot.keyClicks(screen.name, "Alex Carter")
    qtbot.keyClicks(screen.passwords.first, "a brand new passphrase")
    qtbot.keyClicks(screen.passwords.second, "a brand new passphrase")
    qtbot.mouseClick(screen.reset, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(screen.reset.isEnabled, timeout=10000)
    assert "group 1" in screen.error.text()
    screen.key.setText(recovery_key.lower().replace("-", " "))
    with qtbot.waitSignal(window.signed_in, timeout=10000) as signal:
        qtbot.mouseClick(screen.reset, Qt.MouseButton.LeftButton)
    assert signal.args[0].account.name == "Alex Carter"
    assert log_in(folder, "Alex Carter", "a brand new passphrase", params=TEST_ONLY)


def test_on_a_server_the_first_start_offers_no_file_encryption_and_a_new_workstation_logs_in(qtbot, tmp_path,
                                                                                              pg_server, monkeypatch):
    """Records on a PostgreSQL server: set up in room 1 (the server's disk is what encrypts them), then
    the front desk, whose data folder is empty, opens on the login screen and logs in: its keys come
    from the server, nothing was copied to it."""
    from ptassist.ui import app_shell
    from tests import backends

    url = backends.new_database()
    monkeypatch.setenv("PTASSIST_DATABASE_URL", url)
    try:
        room_1, front_desk = tmp_path / "room-1", tmp_path / "front-desk"
        window = start_window(qtbot, room_1, first_start=app_shell.clinic_state(room_1) == "first_start")
        screen = window.first_start
        assert window.stack.currentWidget() is screen
        assert not screen.encrypt.isChecked() and not screen.encrypt.isVisibleTo(screen)
        assert "PostgreSQL server" in screen.findChild(QLabel, "encrypt_explanation").text()
        fill_first_start(qtbot, screen)
        qtbot.mouseClick(screen.create_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.stack.currentWidget() is window.recovery_key, timeout=20000)
        assert app_shell.clinic_state(front_desk) == "login" and not front_desk.exists()
        desk = start_window(qtbot, front_desk, first_start=False)
        form = desk.login.form
        qtbot.keyClicks(form.name, "Alex Carter")
        qtbot.keyClicks(form.password, "a long clinic passphrase")
        with qtbot.waitSignal(desk.signed_in, timeout=10000) as signal:
            qtbot.keyClick(form.password, Qt.Key.Key_Return)
        assert signal.args[0].account.is_administrator and signal.args[0].encrypted is False
    finally:
        from ptassist.store import server_keys

        server_keys.dispose()
        backends.drop_database(url)
