"""The main window: patient list, patient chart and visit editor, with the app's shortcuts.

The window opens before the records have loaded (see :mod:`ptassist.ui.records_loader`): the
patient list reads through a light lookup, and the chart and visit editor are built on first use.
"""

from __future__ import annotations

import logging
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ptassist import __version__
from ptassist.ui.patient_list import PatientListScreen, PatientLookup
from ptassist.ui.records_loader import RecordsLoader
from ptassist.ui.session import SESSION_KEY, remember_recent
from ptassist.ui.worker import run_with_progress

if TYPE_CHECKING:
    from ptassist.services.draft_session import DraftSession, DraftSessions
    from ptassist.services.identity import SignedIn
    from ptassist.services.records import Records
    from ptassist.store.change_feed import Change
    from ptassist.ui.change_watch import ChangeWatch, LeaseBeat
    from ptassist.ui.note_search_dialog import NoteSearchDialog
    from ptassist.ui.patient_chart import PatientChartScreen
    from ptassist.ui.settings_dialog import SettingsDialog
    from ptassist.ui.visit_editor import VisitEditorScreen

log = logging.getLogger(__name__)
DEMO_PATIENTS = 200


class MainWindow(QMainWindow):
    """One window; screens are swapped in a stack. ``signed_in`` is who logged in (the records
    act as them; None only for tests over records opened without an account)."""

    lock_requested = Signal()  # Ctrl+L: the shell covers the windows and asks for the password
    settings_saved = Signal()  # the idle period may have changed

    def __init__(self, records: Records | RecordsLoader, settings: QSettings, patients: PatientLookup | None = None,
                 parent: QWidget | None = None, signed_in: SignedIn | None = None) -> None:
        super().__init__(parent)
        self.signed_in = signed_in
        self._loader = records if isinstance(records, RecordsLoader) else None
        self._records = None if isinstance(records, RecordsLoader) else records
        if patients is None:
            patients = self.records.patients
        self.settings = settings
        self._chart: PatientChartScreen | None = None
        self._editor: VisitEditorScreen | None = None
        self._sessions: DraftSessions | None = None
        self._watch: ChangeWatch | None = None
        self._beat: LeaseBeat | None = None
        self.setObjectName("main_window")
        self.setWindowTitle(f"ptassist {__version__}")
        self.patients = PatientListScreen(patients, settings)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.patients)
        # Records that cannot be written (read-only folder or disk, full disk) open read-only: say why.
        self.read_only_banner = QLabel()
        self.read_only_banner.setObjectName("read_only_banner")
        self.read_only_banner.setWordWrap(True)
        self.read_only_banner.setStyleSheet("#read_only_banner { background: #fff4d6; color: #5c4400; "
                                            "border: 2px solid #b88a00; border-radius: 6px; padding: 6px; }")
        self.read_only_banner.hide()
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.read_only_banner)
        column.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.patients.patient_opened.connect(self.open_patient)
        self.patients.new_patient_requested.connect(self.new_patient)
        self.patients.demo_requested.connect(self.load_demo)
        self.patients.notes_search_requested.connect(self.search_notes)
        self._actions()
        geometry = settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 820)
        if self._records is not None:
            self.records_ready(self._records)

    @property
    def records(self) -> Records:
        """The open records; while they are still loading, this waits for them."""
        if self._records is None:
            assert self._loader is not None
            self._records = self._loader.result()
        return self._records

    def records_ready(self, records: Records) -> None:
        self._records = records
        self._watch_other_workstations(records)
        self.statusBar().showMessage(f"Records: {records.database.location}")
        reason = records.database.read_only
        self.read_only_banner.setVisible(bool(reason))
        for name in ("new_patient_button", "load_demo_button"):  # what would only fail on these records
            button = self.patients.findChild(QPushButton, name)
            if button is not None:
                button.setEnabled(not reason)
        if reason:
            self.read_only_banner.setText(
                f"<b>The records are open read-only</b> because {escape(reason)}. You can find patients, read "
                "their visits, open and print the sheets of signed visits and export; nothing can be changed "
                "until the cause is fixed and ptassist is started again.")
        elif records.database.warnings:  # e.g. an older copy of the records than this workstation saw
            self.read_only_banner.setText("<b>Check these records</b>: " + "<br>".join(
                escape(warning) for warning in records.database.warnings))
            self.read_only_banner.setVisible(True)

    def _watch_other_workstations(self, records: Records) -> None:
        """Refresh what is on show when another workstation commits; keep this one's draft leases alive."""
        from ptassist.store.change_feed import open_change_feed
        from ptassist.ui.change_watch import ChangeWatch, LeaseBeat

        try:
            self._watch = ChangeWatch(open_change_feed(records.database), parent=self)
        except Exception as exc:  # the app works without it; screens refresh when reopened
            log.warning("changes on other workstations will not show until reopened: %s", type(exc).__name__)
        else:
            self._watch.changed.connect(self.changed_elsewhere)
            self._watch.start()
        self._beat = LeaseBeat(lambda: self._sessions, parent=self)
        self._beat.lost.connect(self._leases_lost)
        self._beat.start()

    def changed_elsewhere(self, changes: list[Change]) -> None:
        """Another workstation (or process) committed: the list, the open chart and a read-only draft
        catch up, keeping the selection and where they were scrolled."""
        kinds = {change.kind for change in changes}
        if kinds & {"patient_added", "patient_changed", "visit_signed"}:
            self.patients.refresh_keeping_place()
        if self._chart is not None and self._chart.patient is not None:
            self._chart.refresh()
        if self._editor is not None and self._editing():
            self._editor.visit_changed_elsewhere()

    def _leases_lost(self, lost: list[DraftSession]) -> None:
        editor = self._editor
        if editor is not None and editor.session is not None and editor.session in lost:
            editor.lease_lost()

    def _stop_watching(self) -> None:
        """The window is gone or its records close: no more heartbeats, and the feed's own connection closed."""
        if self._beat is not None:
            self._beat.stop()
        if self._watch is not None:
            self._watch.stop()
            self._watch = None

    def close_records(self) -> None:
        """At exit: close the records if they were opened (waits if they are still loading)."""
        self._stop_watching()
        if self._records is not None or self._loader is not None:
            try:
                records = self.records
            except Exception:
                return  # they never opened; the failure was shown when it happened
            records.close()

    @property
    def sessions(self) -> DraftSessions:
        """The open drafts, one session each: the editor and every dialog change a draft through it."""
        if self._sessions is None:
            from ptassist.services.draft_session import DraftSessions
            from ptassist.services.recovery import RecoveryJournal
            from ptassist.ui.acting import acting_name

            records = self.records
            self._sessions = DraftSessions(records, lambda: acting_name(records),
                                           RecoveryJournal(records.database.folder))
        return self._sessions

    @property
    def chart(self) -> PatientChartScreen:
        if self._chart is None:
            from ptassist.ui.patient_chart import PatientChartScreen

            self._chart = PatientChartScreen(self.records, self.sessions)
            self._restore_splitter("window/chart_splitter", self._chart.splitter)
            self.stack.addWidget(self._chart)
            self._chart.back_requested.connect(self.show_patients)
            self._chart.visit_opened.connect(self.open_visit)
            self._chart.edit_requested.connect(self.edit_patient)
        return self._chart

    @property
    def editor(self) -> VisitEditorScreen:
        if self._editor is None:
            from ptassist.ui.visit_editor import VisitEditorScreen

            self._editor = VisitEditorScreen(self.records, self.settings, self.sessions)
            self._restore_splitter("window/editor_splitter", self._editor.splitter)
            self.stack.addWidget(self._editor)
            self._editor.closed.connect(self._editor_closed)
            self._editor.visit_signed.connect(lambda _id: self.chart.refresh())
            self._editor.print_requested.connect(self.print_sheet)
        return self._editor

    def _restore_splitter(self, key: str, splitter: QSplitter) -> None:
        state = self.settings.value(key)
        if state is not None:
            splitter.restoreState(state)

    def _editing(self) -> bool:
        return self._editor is not None and self.stack.currentWidget() is self._editor

    def _actions(self) -> None:
        menu = self.menuBar().addMenu("&File")
        for text, shortcut, slot in (
            ("Find patient", QKeySequence.StandardKey.Find, self.find_patient),
            ("New patient", QKeySequence.StandardKey.New, self.new_patient),
            ("Print programme", QKeySequence.StandardKey.Print, self._print_current),
            ("Settings…", QKeySequence("Ctrl+,"), self.open_settings),
            ("Accounts…", QKeySequence(), self.open_accounts),
            ("Lock", QKeySequence("Ctrl+L"), self.lock_requested.emit),
            ("Quit", QKeySequence.StandardKey.Quit, self.close),
        ):
            action = QAction(text, self)
            action.setObjectName(f"{text.strip('…').lower().replace(' ', '_')}_action")
            action.setShortcut(shortcut)
            action.triggered.connect(slot)
            menu.addAction(action)
            self.addAction(action)
        accounts = self.findChild(QAction, "accounts_action")
        assert accounts is not None
        # Only administrators manage accounts (the services refuse anyone else anyway).
        accounts.setVisible(self.signed_in is not None and self.signed_in.account.is_administrator)
        self._edit_menu()

    def _edit_menu(self) -> None:
        """Undo, redo and the clipboard act on the focused text field (its own standard shortcuts);
        phrases are inserted with Ctrl+Space."""
        from ptassist.ui.phrases import SHORTCUT

        menu = self.menuBar().addMenu("&Edit")
        menu.setObjectName("edit_menu")
        for name, text, shortcut in (
            ("undo", "Undo", QKeySequence.StandardKey.Undo), ("redo", "Redo", QKeySequence.StandardKey.Redo),
            ("cut", "Cut", QKeySequence.StandardKey.Cut), ("copy", "Copy", QKeySequence.StandardKey.Copy),
            ("paste", "Paste", QKeySequence.StandardKey.Paste),
            ("selectAll", "Select all", QKeySequence.StandardKey.SelectAll),
        ):
            action = QAction(text, self)
            action.setObjectName(f"edit_{name}_action")
            action.setShortcut(shortcut)
            action.triggered.connect(lambda _c=False, n=name: self._edit(n))
            menu.addAction(action)
        menu.addSeparator()
        insert = QAction("Insert text phrase", self)
        insert.setObjectName("insert_phrase_action")
        insert.setShortcut(QKeySequence(SHORTCUT))
        insert.triggered.connect(self.insert_phrase)
        menu.addAction(insert)
        self.addAction(insert)
        manage = QAction("Text phrases…", self)
        manage.setObjectName("manage_phrases_action")
        manage.triggered.connect(self.manage_phrases)
        menu.addAction(manage)

    @staticmethod
    def _edit(name: str) -> None:
        from PySide6.QtWidgets import QApplication

        widget = QApplication.focusWidget()
        method = getattr(widget, name, None)
        if callable(method):
            method()

    def insert_phrase(self) -> bool:
        from PySide6.QtWidgets import QApplication

        from ptassist.ui.phrases import PhraseBook, expand_in

        phrases = PhraseBook(self.settings, self.phrase_owner()).load()
        return expand_in(QApplication.focusWidget(), phrases, menu_parent=self)

    def phrase_owner(self) -> str:
        """Whose phrases: the logged-in account (the computer account only without a login, in tests)."""
        from ptassist.services.actors import default_actor

        return self.signed_in.account.name if self.signed_in is not None else default_actor()

    def manage_phrases(self) -> None:
        from ptassist.ui.phrases import PhraseBook, PhrasesDialog

        PhrasesDialog(PhraseBook(self.settings, self.phrase_owner()), self).exec()

    # ------------------------------------------------------------------ navigation
    def show_patients(self) -> None:
        self.patients.refresh()
        self.patients.show_recent()
        self.stack.setCurrentWidget(self.patients)

    def find_patient(self) -> None:
        if self._editing() and not self.editor.confirm_leave("Leave"):
            return
        self.show_patients()
        self.patients.focus_search()

    def open_patient(self, patient_id: int) -> None:
        remember_recent(self.settings, patient_id)
        self.chart.show_patient(patient_id)
        self.stack.setCurrentWidget(self.chart)

    def open_visit(self, visit_id: int) -> None:
        if self.editor.open_visit(visit_id):
            self.stack.setCurrentWidget(self.editor)

    def _editor_closed(self, _visit_id: int) -> None:
        self.chart.refresh()
        self.stack.setCurrentWidget(self.chart)

    def note_search(self) -> NoteSearchDialog:
        """Search every patient's notes; a chosen visit opens (not shown: :meth:`search_notes`)."""
        from ptassist.ui.note_search_dialog import NoteSearchDialog

        dialog = NoteSearchDialog(self.records, parent=self)
        dialog.visit_chosen.connect(self._open_found_visit)
        return dialog

    def search_notes(self) -> None:
        self.note_search().exec()

    def _open_found_visit(self, visit_id: int) -> None:
        visit = self.records.visits.get(visit_id)
        if visit is not None:
            self.chart.show_patient(visit.patient_id)
            self.open_visit(visit_id)

    def new_patient(self) -> None:
        from ptassist.ui.patient_dialog import PatientDialog

        dialog = PatientDialog(self.records, parent=self)
        if dialog.exec() and dialog.saved is not None:
            self.open_patient(dialog.saved.id)

    def edit_patient(self, patient_id: int) -> None:
        from ptassist.ui.patient_dialog import PatientDialog

        dialog = PatientDialog(self.records, self.records.patients.get(patient_id), parent=self)
        if dialog.exec():
            self.chart.show_patient(patient_id)

    def reopen_unfinished_draft(self) -> bool:
        """After a crash, reopen the draft that was open; it was autosaved within two seconds."""
        visit_id = self.settings.value(SESSION_KEY)
        if visit_id is None:
            return False
        visit = self.records.visits.get(int(visit_id))
        if visit is None or visit.signed:
            self.settings.remove(SESSION_KEY)
            return False
        self.chart.show_patient(visit.patient_id)
        self.open_visit(visit.id)
        self.statusBar().showMessage("Reopened the draft that was open when ptassist last stopped.", 8000)
        return True

    # ------------------------------------------------------------------ printing and settings
    def _print_current(self) -> None:
        """Ctrl+P: the programme of the visit being edited, or of the visit selected on the chart."""
        if self._editing() and self.editor.visit is not None:
            self.print_sheet(self.editor.visit.id, "hep")
        elif self._chart is not None and self.stack.currentWidget() is self._chart:
            visit_id = self._chart.selected_visit()
            if visit_id is not None:
                self.print_sheet(visit_id, "hep")

    def print_sheet(self, visit_id: int, sheet: str) -> None:
        editing = self._editing() and self.editor.visit is not None and self.editor.visit.id == visit_id
        if editing:
            if not self.editor.save_now() and not self.editor.unsaved_fields:
                return  # nothing could be saved (a conflict, the disk): print nothing stale
            assert self.editor.visit is not None
            visit_id = self.editor.visit.id  # a conflict may have made the user's version a new draft
        from ptassist.ui.print_dialog import PrintDialog

        session = self.sessions.acquire(visit_id)
        try:
            PrintDialog(self.records, visit_id, sheet, parent=self, session=session).exec()
        finally:
            if session is not None:
                self.sessions.release(session)
        self.chart.refresh()

    def open_settings(self) -> None:
        if self.settings_dialog().exec():
            self.settings_saved.emit()

    def settings_dialog(self) -> SettingsDialog:
        from ptassist.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.records, self.settings, parent=self, before_restore=self._close_open_visit)
        dialog.records_replaced.connect(self._records_replaced)
        return dialog

    def _close_open_visit(self) -> bool:
        """Before the records are replaced: save and close the visit being edited (False if it can't be saved)."""
        editor = self._editor
        if editor is None or editor.visit is None:
            return True
        if not editor.save_now():
            return False
        editor.leave()
        return True

    def _records_replaced(self) -> None:
        """A backup was restored: nothing on screen may show the records as they were."""
        if self._chart is not None:
            self._chart.patient = None
        self.show_patients()
        self.statusBar().showMessage("Records restored from a backup.", 8000)

    def load_demo(self) -> None:
        """Build demo patients off the GUI thread with a progress indicator; their visits are signed
        as the logged-in clinician, so the password is asked first."""
        from ptassist.services.identity import confirm_password
        from ptassist.ui.signing import signer_name, why_cannot_sign, with_password

        records = self.records
        actor, reason = records.actor, why_cannot_sign(records)
        if actor is None or reason is not None:
            QMessageBox.information(self, "Demo data", reason or "Log in to create demo data.")
            return

        def check(password: str) -> str:
            confirm_password(actor, records.database.folder, password)
            return password

        done, password = with_password(self, "Demo patients", f"{DEMO_PATIENTS} synthetic patients; their visits "
                                       f"are signed as {signer_name(records)}.", check, ok_text="Create")
        if not done or password is None:
            return

        def failed(exc: BaseException, _details: str) -> None:
            QMessageBox.warning(self, "Demo data", f"Could not create demo data: {exc}")

        run_with_progress(self, "Creating demo patients…", lambda: records.build_demo(DEMO_PATIENTS, 1, password),
                          lambda _counts: self.show_patients(), failed, name="demo_progress")

    def open_accounts(self) -> None:
        from ptassist.ui.accounts_dialog import AccountsDialog

        AccountsDialog(self.records, parent=self).exec()

    # ------------------------------------------------------------------ lock, switching user, closing
    def audit(self, kind: str) -> None:
        """Lock, unlock, logout go in the audit trail (never what is on screen)."""
        try:
            self.records.audit_event(kind)
        except Exception as exc:  # the lock itself must not fail on the audit
            log.warning("audit of %s failed: %s", kind, type(exc).__name__)

    def save_and_close_drafts(self) -> bool:
        """Before another user takes over: save the open draft through its session and close it;
        what could not be saved stays in the recovery journal. True when everything was saved."""
        editor = self._editor
        if editor is None or editor.visit is None:
            return True
        complete = editor.save_now()
        editor.leave()
        return complete

    # ------------------------------------------------------------------ closing
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        editor = self._editor
        if editor is not None and editor.visit is not None:
            complete = editor.save_now()
            if not complete and not editor.confirm_leave("Quit"):
                event.ignore()
                return
            if complete:
                self.settings.remove(SESSION_KEY)  # a clean exit: nothing to recover
        self.settings.setValue("window/geometry", self.saveGeometry())
        if editor is not None:
            self.settings.setValue("window/editor_splitter", editor.splitter.saveState())
        if self._chart is not None:
            self.settings.setValue("window/chart_splitter", self._chart.splitter.saveState())
        self._stop_watching()
        event.accept()
