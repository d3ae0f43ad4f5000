"""The idle lock and Ctrl+L: every window covered, drafts and window state kept; unlocking as the
same user restores exactly; unlocking as someone else saves and closes the first user's drafts."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit
from shiboken6 import isValid

from ptassist.security.argon2_params import TEST_ONLY
from ptassist.ui.app_shell import AppShell
from ptassist.ui.idle_watch import IdleWatch
from ptassist.ui.lock_screen import LOCKED_TITLE, Cover
from tests.helpers import TEST_PASSWORD

pytestmark = pytest.mark.gui

ASSISTANT_PASSWORD = "front desk passphrase"


@pytest.fixture
def shell(qtbot, tmp_path, signed_in, records, zoe):
    """The app after its login screen, over the clinic the fixtures set up (with one patient)."""
    app_shell = AppShell(tmp_path / "data", params=TEST_ONLY)
    app_shell.open_records(signed_in)
    qtbot.waitUntil(lambda: app_shell.window is not None and app_shell.window._records is not None, timeout=10000)
    yield app_shell
    if app_shell.lock_screen is not None:
        app_shell.lock_screen.uncover()
        app_shell.lock_screen.hide()
    window = app_shell.window
    if window is not None:
        if window._editor is not None and window._editor.visit is not None:
            window._editor.leave()
        window.close()
    app_shell.close()


def draft_with_text(qtbot, window, zoe, text):
    window.open_patient(zoe.id)
    window.chart.new_visit()
    editor = window.editor
    editor.narrative["subjective"].setPlainText(text)
    return editor


def lock_now(qtbot, shell):
    action = shell.window.findChild(QAction, "lock_action")
    assert action.shortcut() == QKeySequence("Ctrl+L")
    action.trigger()
    qtbot.waitUntil(lambda: shell.lock_screen is not None and shell.lock_screen.isVisible(), timeout=2000)
    return shell.lock_screen


def unlock(qtbot, lock, name, password):
    form = lock.form
    form.name.setText(name)
    form.password.setText(password)
    qtbot.mouseClick(form.button, Qt.MouseButton.LeftButton)


def covered(window):
    """What is under the window's centre belongs to the lock cover, and its title says locked."""
    under = window.childAt(QPoint(window.width() // 2, window.height() // 2))
    covers = [c for c in window.findChildren(Cover) if c.isVisible()]
    return bool(covers) and under is not None and (under in covers or any(c.isAncestorOf(under) for c in covers))


def actions(records):
    return [event.action for event in records.audit.events("account")]


def test_the_lock_covers_the_window_and_the_same_user_gets_everything_back(qtbot, shell, zoe, records):
    window = shell.window
    editor = draft_with_text(qtbot, window, zoe, "Knee pain on stairs since March.")
    title, geometry, visit_id = window.windowTitle(), window.geometry(), editor.visit.id
    lock = lock_now(qtbot, shell)
    assert covered(window) and window.windowTitle() == LOCKED_TITLE
    holder = window.records.lease_holder
    assert records.leases.current(visit_id).held_by(holder)  # the lock keeps the draft, and its lease
    assert window._beat.beat() == [] and records.leases.current(visit_id).held_by(holder)  # renewed while locked
    visible_text = " ".join(label.text() for label in lock.findChildren(QLabel) if label.isVisible())
    assert "Müller" not in visible_text and "Knee" not in visible_text
    assert "lock" in actions(records)

    unlock(qtbot, lock, "Alex Carter", "not the password")
    qtbot.waitUntil(lambda: lock.form.button.isEnabled() and lock.form.error.text() != "Checking…", timeout=10000)
    assert lock.form.error.text() == "Unknown user or wrong password." and lock.isVisible() and covered(window)

    unlock(qtbot, lock, "Alex Carter", TEST_PASSWORD)
    qtbot.waitUntil(lambda: shell.lock_screen is None, timeout=10000)
    assert shell.window is window and not covered(window)  # the same window, as it was
    assert window.windowTitle() == title and window.geometry() == geometry
    assert window.stack.currentWidget() is window.editor and window.editor.visit.id == visit_id
    assert window.editor.narrative["subjective"].toPlainText() == "Knee pain on stairs since March."
    assert actions(records)[-1] == "unlock"


def test_a_dialog_left_open_is_covered_too_and_comes_back(qtbot, shell):
    dialog = QDialog(shell.window)
    dialog.setWindowTitle("New patient")
    QLineEdit("Okafor", dialog).setObjectName("typed")
    dialog.resize(300, 200)
    dialog.show()
    lock = lock_now(qtbot, shell)
    assert covered(dialog) and dialog.isVisible()  # kept, but nothing of it shows
    unlock(qtbot, lock, "Alex Carter", TEST_PASSWORD)
    qtbot.waitUntil(lambda: shell.lock_screen is None, timeout=10000)
    assert not covered(dialog) and dialog.windowTitle() == "New patient"
    assert dialog.findChild(QLineEdit, "typed").text() == "Okafor"
    dialog.close()


def test_idle_time_locks_the_app(qtbot, shell):
    shell.idle.set_interval(150)
    qtbot.waitUntil(lambda: shell.lock_screen is not None and shell.lock_screen.isVisible(), timeout=3000)
    assert covered(shell.window)


def test_input_keeps_the_app_from_locking(qtbot):
    watch = IdleWatch(300)
    fired = []
    watch.idle.connect(lambda: fired.append(True))
    target = QLineEdit()
    qtbot.addWidget(target)
    target.show()
    watch.start()
    for _ in range(8):  # 8 x 100 ms of typing: longer than the idle period, never idle
        QTest.keyClick(target, Qt.Key.Key_A)
        qtbot.wait(100)
    assert fired == []
    qtbot.waitUntil(lambda: fired == [True], timeout=2000)  # then quiet: idle once
    watch.stop()


def test_unlocking_as_someone_else_saves_and_closes_the_first_users_draft(qtbot, shell, zoe, records):
    records.add_user("Sam Lee", {"assistant"}, ASSISTANT_PASSWORD)
    first = shell.window
    editor = draft_with_text(qtbot, first, zoe, "Typed just before the break.")
    visit_id = editor.visit.id
    assert records.leases.current(visit_id).held_by(first.records.lease_holder)
    left_open = QDialog(first)
    closed = []
    left_open.rejected.connect(lambda: closed.append("rejected"))
    left_open.show()
    lock = lock_now(qtbot, shell)
    unlock(qtbot, lock, "Sam Lee", ASSISTANT_PASSWORD)
    qtbot.waitUntil(lambda: shell.window is not None and shell.window is not first, timeout=10000)
    second = shell.window
    qtbot.waitUntil(lambda: second._records is not None, timeout=10000)
    assert records.visits.get(visit_id).narrative["subjective"] == "Typed just before the break."  # nothing lost
    assert records.leases.current(visit_id) is None  # the first user's lease was given back
    assert closed == ["rejected"] and not isValid(first)  # the first user's window and dialogs are gone
    assert second.records.actor.account.name == "Sam Lee" and not covered(second)
    assert second.stack.currentWidget() is second.patients  # not the first user's draft
    assert "logout" in actions(records)
    second.open_patient(zoe.id)
    second.open_visit(visit_id)
    assert not second.editor.sign_button.isEnabled()
    assert "assistant" in second.editor.sign_button.toolTip()
    assert second.findChild(QAction, "accounts_action").isVisible() is False
