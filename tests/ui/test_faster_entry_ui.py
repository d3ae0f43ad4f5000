"""Faster entry through real widgets: note search, the Edit menu's undo and redo, text phrases."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QPushButton

from ptassist.ui.phrases import PhraseBook

pytestmark = pytest.mark.gui


def _noted_visit(records, patient_id, text, time):
    visit = records.new_visit(patient_id, "follow_up", visit_time=time)
    return records.save_draft(visit, narrative={"subjective": text})


def _subjective_in_focus(qtbot, window, zoe):
    window.open_patient(zoe.id)
    window.chart.new_visit()
    edit = window.editor.narrative["subjective"]
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus)
    return edit


def test_note_search_across_patients_opens_the_visit(qtbot, window, records, zoe):
    other = records.patients.add(family_name="Ngata", given_name="Aroha", date_of_birth="1950-01-01")
    _noted_visit(records, zoe.id, "Knee hurts after the marathon", "2026-03-01T09:00")
    wanted = _noted_visit(records, other.id, "Marathon training, stairs painful", "2026-03-02T09:00")
    assert window.patients.findChild(QPushButton, "search_notes_button") is not None
    dialog = window.note_search()
    qtbot.keyClicks(dialog.query, "marath stairs")
    dialog.search_now()
    assert [h.visit_id for h in dialog.hits] == [wanted.id]
    assert dialog.results.item(0, 0).text() == "Ngata, Aroha" and "[stairs]" in dialog.results.item(0, 3).text()
    qtbot.keyClick(dialog.query, Qt.Key.Key_Return)
    assert window.stack.currentWidget() is window.editor and window.editor.visit.id == wanted.id


def test_note_search_on_the_chart_keeps_to_the_patient(qtbot, window, records, zoe):
    other = records.patients.add(family_name="Ngata", given_name="Aroha", date_of_birth="1950-01-01")
    mine = _noted_visit(records, zoe.id, "Marathon in May", "2026-03-01T09:00")
    _noted_visit(records, other.id, "Marathon in June", "2026-03-02T09:00")
    window.open_patient(zoe.id)
    dialog = window.chart.note_search()
    qtbot.keyClicks(dialog.query, "marathon")
    dialog.search_now()
    assert [h.visit_id for h in dialog.hits] == [mine.id] and dialog.results.columnCount() == 3


def test_the_edit_menu_undoes_and_redoes_typing_in_the_notes(qtbot, window, records, zoe):
    edit = _subjective_in_focus(qtbot, window, zoe)
    qtbot.keyClicks(edit, "Pain 6/10")
    undo = window.findChild(QAction, "edit_undo_action")
    redo = window.findChild(QAction, "edit_redo_action")
    assert undo.shortcut().toString() and redo.shortcut().toString()  # the platform's standard keys
    undo.trigger()
    assert edit.toPlainText() == ""
    redo.trigger()
    assert edit.toPlainText() == "Pain 6/10"


def test_a_phrase_expands_from_its_abbreviation_as_one_undo_step(qtbot, window, records, zoe, settings):
    PhraseBook(settings, window.phrase_owner()).save({"itbhx": "Lateral knee pain on running, onset at 5 km."})
    edit = _subjective_in_focus(qtbot, window, zoe)
    qtbot.keyClicks(edit, "Runner. itbhx")
    qtbot.keyClick(edit, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)
    assert edit.toPlainText() == "Runner. Lateral knee pain on running, onset at 5 km."
    window.findChild(QAction, "edit_undo_action").trigger()
    assert edit.toPlainText() == "Runner. itbhx"


def test_phrases_belong_to_the_logged_in_clinician(qtbot, window, settings):
    assert window.phrase_owner() == window.signed_in.account.name  # the account, not a typed name
    PhraseBook(settings, "Alex Carter").save({"a": "Alex's phrase"})
    assert PhraseBook(settings, "Sam Lee").load() == {}
    assert PhraseBook(settings, "Alex Carter").load() == {"a": "Alex's phrase"}
