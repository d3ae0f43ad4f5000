"""Several workstations on one database: a draft open on one is read-only on the other, with who and
since when; lists and charts catch up when the other workstation signs or adds."""

from __future__ import annotations

import dataclasses
from contextlib import contextmanager

import pytest
from PySide6.QtCore import QSettings, Qt

from ptassist.services.records import Records
from ptassist.store.leases import LeasedError
from ptassist.ui.main_window import MainWindow
from tests.helpers import TEST_PASSWORD, past_lease_timeout
from tests.store.conftest import INTAKE
from tests.ui.conftest import close_test_window

pytestmark = pytest.mark.gui


@pytest.fixture
def front_desk(qtbot, records, signed_in, tmp_path):
    """A second workstation's window over the same records (its own connection, its own leases)."""
    desk = Records.open(records.database.folder, signed_in=signed_in, daily_backup=False)
    desk.lease_holder = dataclasses.replace(desk.lease_holder, workstation="FRONT-DESK")
    win = MainWindow(desk, QSettings(str(tmp_path / "front-desk.ini"), QSettings.Format.IniFormat),
                     signed_in=signed_in)
    win.show()
    yield win
    close_test_window(win)
    win.close_records()


def click(qtbot, widget):
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


@contextmanager
def taken_on_room_2(records, visit_id):
    """Another workstation, ROOM-2, past this one's lease timeout, takes the draft's lease."""
    other = past_lease_timeout(Records.open(records.database.folder, signed_in=records.actor, daily_backup=False))
    try:
        other.lease_holder = dataclasses.replace(other.lease_holder, workstation="ROOM-2")
        assert other.leases.acquire(visit_id, other.lease_holder).held_by(other.lease_holder)
        yield other
    finally:
        other.close()


def open_new_draft(window, patient_id):
    window.open_patient(patient_id)
    window.chart.new_visit()
    assert window.stack.currentWidget() is window.editor
    return window.editor


def test_a_draft_open_elsewhere_opens_read_only_saying_who_and_since_when(qtbot, window, front_desk, zoe):
    mine = open_new_draft(front_desk, zoe.id)
    mine.narrative["subjective"].setPlainText("Typed at the front desk.")
    assert mine.save_now()
    assert not mine.lease_banner.isVisible() and mine.form_widget.isEnabled()

    window.open_patient(zoe.id)
    window.open_visit(mine.visit.id)
    theirs = window.editor
    assert theirs.lease_banner.isVisible()
    banner = theirs.lease_banner.text.text()
    assert "Being edited by Alex Carter on FRONT-DESK since " in banner and "read-only here" in banner
    assert not theirs.form_widget.isEnabled() and not theirs.sign_button.isEnabled()
    assert theirs.narrative["subjective"].toPlainText() == "Typed at the front desk."
    theirs.sign()  # the shortcut is refused too: nothing happens
    assert not window.records.visits.get(mine.visit.id).signed

    click(qtbot, theirs.lease_banner.recheck)  # still open there: still read-only
    assert theirs.lease_banner.isVisible() and not theirs.form_widget.isEnabled()

    mine.narrative["plan"].setPlainText("Review in two weeks.")
    assert mine.save_now()
    click(qtbot, mine.findChild(type(mine.sign_button), "close_visit_button"))  # closed at the front desk
    click(qtbot, theirs.lease_banner.recheck)
    assert not theirs.lease_banner.isVisible() and theirs.form_widget.isEnabled() and theirs.sign_button.isEnabled()
    assert theirs.narrative["plan"].toPlainText() == "Review in two weeks."  # the stored version, not a stale one
    assert theirs.saved_label.text() == "You can edit this draft now"


def test_the_change_watch_lets_a_read_only_draft_go_and_refreshes_the_chart(qtbot, backend, window, front_desk,
                                                                           zoe):
    """On each back end: PRAGMA data_version on SQLite, LISTEN/NOTIFY on PostgreSQL."""
    mine = open_new_draft(front_desk, zoe.id)
    visit_id = mine.visit.id
    window.open_patient(zoe.id)
    window.open_visit(visit_id)
    theirs = window.editor
    assert theirs.read_only_reason is not None
    mine.leave()  # the front desk closes it; this window learns it from the feed, with no click
    qtbot.waitUntil(lambda: theirs.read_only_reason is None, timeout=5000)
    assert theirs.form_widget.isEnabled()


def test_a_sign_and_a_new_patient_elsewhere_show_in_the_list_and_chart(qtbot, backend, window, front_desk, zoe,
                                                                      records):
    draft = records.new_visit(zoe.id, "initial_evaluation")
    records.save_draft(draft, intake=INTAKE)
    front_desk.open_patient(zoe.id)
    chart = front_desk.chart
    assert [row.status for row in chart.history] == ["draft"]
    front_desk.show_patients()
    front_desk.patients.table.selectRow(0)
    window.records.sign(draft.id, TEST_PASSWORD)
    added = window.records.patients.add(family_name="Aalto", given_name="Aino", date_of_birth="1991-02-03")
    qtbot.waitUntil(lambda: added.id in [p.id for p in front_desk.patients.model.patients], timeout=5000)
    selected = front_desk.patients.table.selectionModel().selectedRows()
    assert front_desk.patients.model.patients[selected[0].row()].id == zoe.id  # the selection stayed on Zoë
    assert [row.status for row in chart.history] == ["signed"]


def test_a_lease_lost_while_silent_turns_the_editor_read_only_keeping_what_was_typed(qtbot, window, zoe, records):
    editor = open_new_draft(window, zoe.id)
    visit_id = editor.visit.id
    with taken_on_room_2(records, visit_id) as other:
        editor._quiet.stop()
        editor.narrative["subjective"].setPlainText("Typed while the network was down.")
        editor._quiet.stop()
        editor._deadline.stop()
        lost = window._beat.beat()
        assert [session.visit_id for session in lost] == [visit_id]
        assert editor.lease_banner.isVisible() and "on ROOM-2" in editor.lease_banner.text.text()
        assert not editor.form_widget.isEnabled()
        with pytest.raises(LeasedError):
            window.records.save_draft(window.records.visits.get(visit_id), narrative={"plan": "x"})
        assert editor.session.recovered()["narrative.subjective"] == "Typed while the network was down."
        other.leases.release(visit_id, other.lease_holder)  # ROOM-2 closes it again
        assert editor.recheck_lease()
        assert editor.narrative["subjective"].toPlainText() == "Typed while the network was down."
        assert "your unsaved changes are back" in editor.saved_label.text()
        assert editor.save_now()
        assert window.records.visits.get(visit_id).narrative["subjective"] == "Typed while the network was down."


def test_the_app_started_over_its_patient_directory_shows_a_patient_added_elsewhere(qtbot, tmp_path, signed_in,
                                                                                   records, zoe):
    """As started for real: the list reads through the start-up directory, not the ORM."""
    from ptassist.security.argon2_params import TEST_ONLY
    from ptassist.ui.app_shell import AppShell

    shell = AppShell(tmp_path / "data", params=TEST_ONLY)
    shell.open_records(signed_in)
    try:
        qtbot.waitUntil(lambda: shell.window is not None and shell.window._records is not None, timeout=10000)
        window = shell.window
        assert shell.directory is not None and window.patients.lookup is shell.directory
        added = records.patients.add(family_name="Aalto", given_name="Aino", date_of_birth="1991-02-03")
        qtbot.waitUntil(lambda: added.id in [p.id for p in window.patients.model.patients], timeout=5000)
    finally:
        shell.window.close()
        shell.close()


def test_closing_the_window_closes_the_change_feeds_connection(qtbot, records, settings, signed_in):
    win = MainWindow(records, settings, signed_in=signed_in)
    win.show()
    watch = win._watch
    assert watch is not None and watch.feed._connection is not None
    win.close()
    assert win._watch is None and watch.feed._connection is None  # not left for the garbage collector
    win.deleteLater()


def test_a_lost_lease_is_tried_again_off_the_gui_thread_by_the_heartbeat(qtbot, window, zoe, records):
    """The heartbeat's tick renews and, for a lease lost meanwhile, tries again on its worker thread:
    the window only shows the outcome (a server that stops answering cannot freeze it)."""
    import threading

    editor = open_new_draft(window, zoe.id)
    with taken_on_room_2(records, editor.visit.id):
        leases = window.records.leases
        threads: list[str] = []
        real_acquire = leases.acquire

        def acquire(*args, **kwargs):
            threads.append(threading.current_thread().name)
            return real_acquire(*args, **kwargs)

        leases.acquire = acquire
        try:
            window._beat.tick()
            qtbot.waitUntil(editor.lease_banner.isVisible, timeout=10000)
        finally:
            del leases.acquire
        assert "on ROOM-2" in editor.lease_banner.text.text() and not editor.form_widget.isEnabled()
        assert threads and threading.main_thread().name not in threads
