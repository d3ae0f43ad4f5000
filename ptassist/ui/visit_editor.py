"""The visit editor: the intake form, generated from the vocabulary, beside the live checklist.

Every change re-runs the engine (well under a millisecond) and is saved within two seconds; a
quiet indicator says when. Signing asks for the logged-in clinician's password and locks the visit;
signed visits open read-only with their addenda.
"""

from __future__ import annotations

import dataclasses
import time
from datetime import date
from html import escape
from typing import Any

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ptassist.core.background import BackgroundAnswer, with_background
from ptassist.core.intake import DIRECTIONS, DISTAL_RESPONSES, INTAKE_FORMAT, LOCAL_RESPONSES
from ptassist.core.record_lines import assessed_intake
from ptassist.core.records import Patient, Visit
from ptassist.core.sheets import kind_label
from ptassist.core.validation import MAX_TEXT, ValidationError
from ptassist.core.when import local_day, local_minute
from ptassist.services.draft_changes import describe_unsaved
from ptassist.services.draft_session import DraftConflictError, DraftSession, DraftSessions, SaveOutcome
from ptassist.services.records import Records
from ptassist.services.recovery import RecoveryJournal
from ptassist.store.errors import StoreError
from ptassist.ui.acting import acting_name
from ptassist.ui.checklist_panel import ChecklistPanel
from ptassist.ui.conflict_dialog import KEEP_BOTH, LOAD_THEIRS, ConflictDialog, UnsavedChangesPanel
from ptassist.ui.lease_banner import LeaseBanner
from ptassist.ui.red_flag_banner import RedFlagBanner
from ptassist.ui.session import SESSION_KEY
from ptassist.ui.signing import addendum_question, apply_sign_permission, sign_question, with_password
from ptassist.ui.widgets.body_chart import BodyChart
from ptassist.ui.widgets.care_form import CareForm
from ptassist.ui.widgets.findings_form import FindingsForm
from ptassist.ui.widgets.measures_form import MeasuresForm
from ptassist.ui.widgets.neuro_grid import NeuroGrid
from ptassist.ui.widgets.text_limit import LimitNote
from ptassist.ui.widgets.wheel_guard import WheelGuard

AUTOSAVE_QUIET_MS = 600  # save this long after the last change ...
AUTOSAVE_MAX_MS = 1500  # ... but never later than this after the first unsaved change


def _combo(name: str, label: str, values: tuple[str, ...], blank: str = "not tested") -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    combo.setAccessibleName(label)
    combo.addItem(blank, "")
    for value in values:
        combo.addItem(value.replace("_", " "), value)
    return combo


class VisitEditorScreen(QWidget):
    """Record an evaluation while the checklist responds."""

    visit_signed = Signal(int)
    closed = Signal(int)
    print_requested = Signal(int, str)

    def __init__(self, records: Records, settings: QSettings, sessions: DraftSessions | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.records = records
        self.settings = settings
        self.sessions = sessions or DraftSessions(records, lambda: acting_name(records),
                                                  RecoveryJournal(records.database.folder))
        self.session: DraftSession | None = None
        self._unsubscribe: Any = None
        self.unsaved_fields: dict[str, str] = {}  # field -> why it is not saved (kept in the form and journal)
        self._open_conflict: DraftConflictError | None = None  # the user chose to keep editing over it
        self.patient: Patient | None = None
        self._loading = False
        self._dirty_since: float | None = None
        self.setObjectName("visit_editor")
        vocabulary = records.engine.vocabulary

        self.title = QLabel()
        self.title.setObjectName("visit_title")
        self.saved_label = QLabel("")
        self.saved_label.setObjectName("saved_indicator")
        self.saved_label.setStyleSheet("color: #5b6b78;")
        close = QPushButton("Close")
        close.setObjectName("close_visit_button")
        close.clicked.connect(self.close_visit)
        self.sign_button = QPushButton("Sign visit…")
        self.sign_button.setObjectName("sign_button")
        self.sign_button.setToolTip("Sign and lock this visit (Ctrl+Enter)")
        self.sign_button.clicked.connect(self.sign)
        self.addendum_button = QPushButton("Add addendum…")
        self.addendum_button.setObjectName("addendum_button")
        self.addendum_button.clicked.connect(self.add_addendum)
        apply_sign_permission(records, self.sign_button, self.addendum_button)
        self._may_sign = self.sign_button.isEnabled()  # the account's role; a lease elsewhere comes on top
        self.print_buttons = []
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.saved_label)
        for sheet, text in (("hep", "Programme…"), ("referral", "Referral…"), ("summary", "Summary…")):
            button = QPushButton(text)
            button.setObjectName(f"print_{sheet}_button")
            button.clicked.connect(lambda _c=False, s=sheet: self._request_print(s))
            top.addWidget(button)
            self.print_buttons.append(button)
        top.addWidget(self.addendum_button)
        top.addWidget(self.sign_button)
        top.addWidget(close)
        self.banner = RedFlagBanner()
        self.lease_banner = LeaseBanner()
        self.lease_banner.recheck_requested.connect(self.recheck_lease)

        # ---- the form
        self.form_widget = QWidget()
        form_layout = QVBoxLayout(self.form_widget)
        basics = QGroupBox("Presenting complaint")
        basics_form = QFormLayout(basics)
        self.side = _combo("intake_side", "Side of the complaint", ("left", "right", "bilateral"), "not recorded")
        basics_form.addRow("Side", self.side)
        form_layout.addWidget(basics)
        chart_box = QGroupBox("Body chart: click a region to mark pain (P), tingling (T), numbness (N)")
        chart_layout = QVBoxLayout(chart_box)
        self.chart_side = _combo("body_chart_side", "Side being marked", ("left", "right", "bilateral"), "left")
        self.chart_side.setItemData(0, "left")
        self.chart_mode = QComboBox()
        self.chart_mode.setObjectName("body_chart_mode")
        self.chart_mode.setAccessibleName("Body chart marks")
        self.chart_mode.addItem("Symptoms the patient reports", "symptoms")
        self.chart_mode.addItem("Reduced sensation found on examination", "sensory")
        self.symptoms_done = QComboBox()
        self.symptoms_done.setObjectName("symptoms_recorded")
        self.symptoms_done.setAccessibleName("Body chart status")
        self.symptoms_done.addItem("Body chart not done", "none")
        self.symptoms_done.addItem("Body chart done (unmarked areas: no symptoms)", "symptoms")
        self.symptoms_done.addItem("Body chart and sensation both examined", "both")
        row = QHBoxLayout()
        for widget in (QLabel("Side"), self.chart_side, self.chart_mode, self.symptoms_done):
            row.addWidget(widget)
        row.addStretch()
        self.body_chart = BodyChart(dict(vocabulary.regions))
        chart_layout.addLayout(row)
        chart_layout.addWidget(self.body_chart)
        form_layout.addWidget(chart_box)
        self.findings = FindingsForm(vocabulary)
        form_layout.addWidget(self.findings)
        neuro_box = QGroupBox("Neuro screen: myotomes (MRC 0-5) and reflexes")
        neuro_layout = QVBoxLayout(neuro_box)
        self.neuro = NeuroGrid(vocabulary)
        neuro_layout.addWidget(self.neuro)
        form_layout.addWidget(neuro_box)
        moves_box = QGroupBox("Repeated end-range lumbar movements")
        moves_form = QFormLayout(moves_box)
        self.direction = _combo("rm_direction", "Direction", DIRECTIONS)
        self.distal = _combo("rm_distal", "Distal symptoms", DISTAL_RESPONSES)
        self.local = _combo("rm_local", "Local knee or thigh signs", LOCAL_RESPONSES)
        moves_form.addRow("Direction", self.direction)
        moves_form.addRow("Distal symptoms", self.distal)
        moves_form.addRow("Local knee/thigh signs after loading", self.local)
        form_layout.addWidget(moves_box)
        self.measures = MeasuresForm()
        measures_box = QGroupBox("Outcome measures")
        QVBoxLayout(measures_box).addWidget(self.measures)
        form_layout.addWidget(measures_box)
        self.care_form = CareForm()
        form_layout.addWidget(self.care_form)
        soap_box = QGroupBox("Notes (SOAP)")
        soap_form = QFormLayout(soap_box)
        self.narrative: dict[str, QPlainTextEdit] = {}
        self.narrative_notes: dict[str, LimitNote] = {}
        for key in ("subjective", "objective", "assessment", "plan"):
            edit = QPlainTextEdit()
            edit.setTabChangesFocus(True)  # Tab moves on; it never traps the keyboard
            edit.setObjectName(f"narrative_{key}")
            edit.setAccessibleName(key.capitalize())
            edit.setFixedHeight(70)
            note = LimitNote(edit, MAX_TEXT, key.capitalize())
            cell = QVBoxLayout()
            cell.setContentsMargins(0, 0, 0, 0)
            cell.addWidget(edit)
            cell.addWidget(note)
            soap_form.addRow(key.capitalize(), cell)
            self.narrative[key] = edit
            self.narrative_notes[key] = note
        form_layout.addWidget(soap_box)
        self.unsaved_box = UnsavedChangesPanel()
        self.addenda = QListWidget()
        self.addenda.setObjectName("addenda_list")
        self.addenda.setAccessibleName("Addenda")
        self.addenda_box = QGroupBox("Addenda")
        QVBoxLayout(self.addenda_box).addWidget(self.addenda)
        form_layout.addWidget(self.addenda_box)

        scroll = QScrollArea()
        scroll.setObjectName("visit_form_scroll")
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form_widget)
        self.form_scroll = scroll
        self.wheel_guard = WheelGuard(scroll)  # scrolling the form never changes a value on the way
        self.checklist = ChecklistPanel(vocabulary)
        self.checklist.assess_requested.connect(self.jump_to)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("editor_splitter")
        self.splitter.addWidget(scroll)
        self.splitter.addWidget(self.checklist)
        self.splitter.setSizes([760, 440])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.lease_banner)
        layout.addWidget(self.banner)
        layout.addWidget(self.unsaved_box)
        layout.addWidget(self.splitter, 1)

        self._quiet = QTimer(self, singleShot=True, interval=AUTOSAVE_QUIET_MS)
        self._quiet.timeout.connect(self.save_now)
        self._deadline = QTimer(self, singleShot=True, interval=AUTOSAVE_MAX_MS)
        self._deadline.timeout.connect(self.save_now)
        for signal in (self.findings.changed, self.neuro.changed, self.measures.changed, self.body_chart.changed,
                       self.care_form.changed):
            signal.connect(self.on_changed)
        for combo in (self.side, self.direction, self.distal, self.local, self.symptoms_done):
            combo.currentIndexChanged.connect(self.on_changed)
        for edit in self.narrative.values():
            edit.textChanged.connect(self.on_changed)
        self.chart_side.currentIndexChanged.connect(self._chart_side_changed)
        self.side.currentIndexChanged.connect(self._complaint_side_changed)
        self.chart_mode.currentIndexChanged.connect(
            lambda _i: setattr(self.body_chart, "mode", self.chart_mode.currentData()))
        QShortcut(QKeySequence("Ctrl+S"), self, self.save_now)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.sign)

    # ------------------------------------------------------------------ loading
    def _request_print(self, sheet: str) -> None:
        if self.visit is not None:
            self.print_requested.emit(self.visit.id, sheet)

    @property
    def visit(self) -> Visit | None:
        """The visit being edited, as its draft session holds it (never a stale copy)."""
        return self.session.visit if self.session is not None else None

    def open_visit(self, visit_id: int) -> bool:
        session = self.sessions.acquire(visit_id)
        if session is None:
            return False
        self._release()
        self.session = session
        self._unsubscribe = session.subscribe(self._visit_replaced)
        visit = session.reload()  # opening shows the stored version, whoever changed it last
        self.patient = self.records.patients.get(visit.patient_id)
        self.unsaved_box.hide()
        recovered = {} if visit.signed else session.recovered()
        self._show_visit(_with_recovered(visit, recovered))
        self.records.audit.log(acting_name(self.records), "view", "visit", visit.id)
        if recovered:
            self._mark_dirty()
            self.saved_label.setText("Restored changes that were not saved last time")
        return True

    def _show_visit(self, visit: Visit) -> None:
        self._loading = True
        try:
            self._load(visit)
        finally:
            self._loading = False
        self._dirty_since = None
        self._show_problems({})
        self._apply_lock()
        self.refresh_checklist()
        self._remember_open()

    def _remember_open(self) -> None:
        """The draft being edited is what a restart after a crash reopens."""
        if self.visit is None or self.visit.signed:
            self.settings.remove(SESSION_KEY)
        else:
            self.settings.setValue(SESSION_KEY, self.visit.id)

    def _visit_replaced(self, visit: Visit) -> None:
        """Another holder of this draft's session (the print dialog) saved it: the version is current already;
        only what is on show about the visit itself may need a refresh."""
        self._title(visit)

    def _release(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self.session is not None:
            self.sessions.release(self.session)
            self.session = None

    def _title(self, visit: Visit) -> None:
        name = self.patient.display_name if self.patient else ""
        self.title.setText(f"<b>{escape(name)}</b> · {kind_label(visit.kind)} · {local_day(visit.visit_time)} · "
                           f"{'SIGNED by ' + escape(visit.signed_by or '') if visit.signed else 'draft'}")

    def _load(self, visit: Visit) -> None:
        intake = visit.intake or {}
        self._title(visit)
        self.side.setCurrentIndex(max(0, self.side.findData(intake.get("side", ""))))
        default_side = intake.get("side", "left") if intake.get("side") in ("left", "right") else "left"
        self.body_chart.set_marks(intake.get("symptoms"), intake.get("sensory_loss"), default_side)
        status = "both" if "sensory_loss" in intake else ("symptoms" if "symptoms" in intake else "none")
        self.symptoms_done.setCurrentIndex(self.symptoms_done.findData(status))
        answers = self.records.visit_background_answers(visit)
        self.findings.set_background({k: v.because for k, v in answers.items()})
        self.findings.set_values(intake.get("findings", {}))
        self.neuro.set_values(intake.get("strength", {}), intake.get("reflexes", {}))
        moves = intake.get("repeated_movements", {})
        for combo, key in self._movement_fields():
            combo.setCurrentIndex(max(0, combo.findData(moves.get(key, ""))))
        self.measures.set_values(visit.measures)
        self.care_form.set_values(visit.visit_time, visit.time_zone, visit.care)
        for key, edit in self.narrative.items():
            edit.setPlainText(visit.narrative.get(key, ""))
        self.addenda.clear()
        for addendum in self.records.visits.addenda(visit.id):
            self.addenda.addItem(f"{local_minute(addendum.created_at)} · {addendum.clinician_name}: "
                                 f"{addendum.text}")
        self.addenda_box.setVisible(visit.signed)
        self.saved_label.setText("Signed and locked" if visit.signed else "Saved")

    @property
    def read_only_reason(self) -> str | None:
        """Why this draft is read-only here ('Being edited by ... on ... since ...'), None if editable."""
        return self.session.read_only_reason if self.session is not None else None

    def _apply_lock(self) -> None:
        signed = bool(self.visit and self.visit.signed)
        leased = self.read_only_reason
        self.form_widget.setEnabled(not signed and leased is None)
        self.addenda_box.setEnabled(True)
        self.sign_button.setVisible(not signed)
        self.sign_button.setEnabled(self._may_sign and leased is None)
        self.addendum_button.setVisible(signed)
        self.lease_banner.show_reason(leased)
        if leased is not None:
            self.saved_label.setText("Read-only here")

    def recheck_lease(self) -> bool:
        """Try again to take the draft (the other workstation may have closed it); True when it can be
        edited here now. The draft is shown as stored then: the other workstation may have changed it."""
        session = self.session
        if session is None or session.visit.signed:
            return False
        was = self.read_only_reason
        try:
            session.recheck()
        except StoreError as exc:
            self.lease_banner.show_reason(f"{was or 'This draft'} (could not check again: {exc})")
            return False
        if session.read_only_reason is None and was is not None:
            recovered = session.recovered()  # typed here before the lease was lost, if it was
            self._show_visit(_with_recovered(session.reload(), recovered))
            if recovered:
                self._mark_dirty()
            self.saved_label.setText("You can edit this draft now" + (
                "; your unsaved changes are back in the form" if recovered else ""))
        elif session.read_only_reason is not None:
            if was is None:
                self.lease_lost()
            else:
                self._apply_lock()
        return session.read_only_reason is None

    def lease_lost(self) -> None:
        """The lease went to another workstation (this one was silent past the timeout): read-only
        from now; what was typed and not saved is kept in the recovery journal, offered again later."""
        if self.session is not None and self._dirty_since is not None:
            self._quiet.stop()
            self._deadline.stop()
            self.session.keep_unsaved(self.changes())
            self._dirty_since = None
        self._apply_lock()

    def visit_changed_elsewhere(self) -> None:
        """Another workstation committed something: a read-only draft shows the stored version (and
        becomes editable if they let it go); a draft signed elsewhere shows signed."""
        session = self.session
        if session is None or session.visit.signed or self._dirty_since is not None:
            return
        if self.read_only_reason is None:
            return
        current = self.records.leases.current(session.visit_id)  # a read; taking it is tried only when free
        if (current is None or current.held_by(self.records.lease_holder)) and self.recheck_lease():
            return
        if self.read_only_reason is not None:
            stored = self.records.visits.get(session.visit_id)
            if stored is not None and stored.version != session.visit.version:
                self._show_visit(session.reload())

    # ------------------------------------------------------------------ the intake as typed
    def intake(self) -> dict[str, Any]:
        data: dict[str, Any] = {"format": INTAKE_FORMAT}
        if self.patient is not None and self.visit is not None:
            visit_day = date.fromisoformat(self.visit.visit_time[:10])
            data["age"] = self.patient.age_on(visit_day)
            if self.patient.sex:
                data["sex"] = self.patient.sex
        if self.side.currentData():
            data["side"] = self.side.currentData()
        status = self.symptoms_done.currentData()
        marks = self.body_chart.symptom_list()
        if marks or status in ("symptoms", "both"):
            data["symptoms"] = marks
        sensory = self.body_chart.sensory_list()
        if sensory or status == "both":
            data["sensory_loss"] = sensory
        strength, reflexes = self.neuro.strength(), self.neuro.reflex_values()
        if strength:
            data["strength"] = strength
        if reflexes:
            data["reflexes"] = reflexes
        moves = {key: combo.currentData() for combo, key in self._movement_fields() if combo.currentData()}
        if moves:
            data["repeated_movements"] = moves
        findings = self.findings.values()
        if findings:
            data["findings"] = findings
        return data

    def _movement_fields(self) -> tuple[tuple[QComboBox, str], ...]:
        return ((self.direction, "direction"), (self.distal, "distal_symptoms"), (self.local, "local_signs"))

    def _complaint_side_changed(self) -> None:
        """Marks go on the complaint's side unless the clinician picks the other one."""
        side = self.side.currentData()
        if side in ("left", "right", "bilateral"):
            self.chart_side.setCurrentIndex(max(0, self.chart_side.findData(side)))

    def _chart_side_changed(self) -> None:
        self.body_chart.side = self.chart_side.currentData() or "left"
        self.body_chart.update()

    # ------------------------------------------------------------------ live checklist and autosave
    def refresh_checklist(self) -> None:
        if self.visit is not None and self.visit.signed and self.visit.assessment:
            assessment = self.visit.assessment
            self.checklist.show_assessment(assessment, frozen=True, intake=assessed_intake(self.visit))
            self.banner.hide()
            return
        try:
            live = self.records.assess(self.intake(), self.visit.patient_id if self.visit else None)
            if live is None:
                return
        except Exception as exc:
            self.checklist.setPlainText(f"The checklist could not read this intake: {exc}")
            return
        assessment = live.to_json()
        answers = self.findings.background
        intake = with_background(self.intake(), {k: BackgroundAnswer(k, v) for k, v in answers.items()})
        self.checklist.show_assessment(assessment, intake=intake)
        self.banner.show_flags(assessment)

    def on_changed(self, *_args: Any) -> None:
        if self._loading or self.visit is None or self.visit.signed:
            return
        self.refresh_checklist()
        self._mark_dirty()
        self.saved_label.setText("Editing…")

    def _mark_dirty(self) -> None:
        if self._dirty_since is None:
            self._dirty_since = time.monotonic()
            self._deadline.start()
        self._quiet.start()

    def changes(self) -> dict[str, Any]:
        """Everything the form holds, as the draft session saves it."""
        return {
            "intake": self.intake(),
            "measures": self.measures.values(),
            "narrative": {k: e.toPlainText() for k, e in self.narrative.items() if e.toPlainText().strip()},
            "care": self.care_form.care(),
            "visit_time": self.care_form.visit_time_text(),
        }

    def save_now(self) -> bool:
        """Save the draft now. True when everything typed is saved; otherwise what could be saved is,
        and the rest stays in the form (marked) and in the recovery journal."""
        self._quiet.stop()
        self._deadline.stop()
        session = self.session
        if session is None or session.visit.signed or self._dirty_since is None:
            return not self.unsaved_fields
        if session.read_only_reason is not None:  # nothing can be typed here; never save over the holder
            return not self.unsaved_fields
        changes = self.changes()
        try:
            outcome = session.save(source=self._visit_replaced, **changes)
        except DraftConflictError as conflict:
            return self._resolve_conflict(conflict)
        except (StoreError, ValidationError) as exc:
            session.keep_unsaved(changes)
            self.saved_label.setText(f"Not saved: {exc}")
            self.saved_label.setStyleSheet("color: #b3261e;")
            self._deadline.start()  # keep trying; what was typed stays in the form
            return False
        self._saved(outcome)
        return outcome.complete

    def _saved(self, outcome: SaveOutcome) -> None:
        self._dirty_since = None
        self._title(outcome.visit)
        self._open_conflict = None
        self._show_problems(outcome.problems)
        stamp = time.strftime("%H:%M:%S")
        if outcome.complete:
            self.saved_label.setText(f"Saved {stamp}")
        else:
            names = ", ".join(_field_words(f) for f in outcome.problems)
            self.saved_label.setText(f"Saved {stamp}, except {names} (marked; kept until it can be saved)")

    def _show_problems(self, problems: dict[str, str]) -> None:
        self.unsaved_fields = dict(problems)
        for key, note in self.narrative_notes.items():
            note.set_problem(problems.get(f"narrative.{key}"))
        visit_problems = [f"{_field_words(f)}: {why}" for f, why in problems.items()
                          if f == "visit_time" or f.startswith("care")]
        self.care_form.set_problem("; ".join(visit_problems) + " (kept here until it can be saved)"
                                   if visit_problems else None)
        self.saved_label.setStyleSheet("color: #b3261e;" if problems else "color: #5b6b78;")

    def _show_first_problem(self) -> None:
        """Scroll to the first field that could not be saved, with its note, and put the cursor there."""
        for key, note in self.narrative_notes.items():
            if f"narrative.{key}" in self.unsaved_fields:
                self.form_scroll.ensureWidgetVisible(note)
                self.narrative[key].setFocus()
                return

    def _resolve_conflict(self, conflict: DraftConflictError) -> bool:
        """Another window or workstation saved this draft: ask, never defaulting to losing anything."""
        assert self.session is not None
        self.saved_label.setText(f"Not saved: {conflict.changed_by} changed this visit elsewhere")
        self.saved_label.setStyleSheet("color: #b3261e;")
        choice = ConflictDialog.ask(conflict, self)
        self._open_conflict = None
        if choice == KEEP_BOTH:
            try:
                self.sessions.keep_both(self.session, self.changes())
            except (StoreError, ValidationError) as exc:
                QMessageBox.warning(self, "Not saved", f"Could not save a new draft: {exc}")
                return False
            self._dirty_since = None
            self._title(self.session.visit)
            self._remember_open()
            self.saved_label.setText(f"Saved as a new draft; {conflict.changed_by}'s version is kept as it was")
            self.saved_label.setStyleSheet("color: #5b6b78;")
            return True
        if choice == LOAD_THEIRS:
            lines = describe_unsaved(conflict.mine, conflict.theirs, self.records.engine.vocabulary)
            self.session.reload()
            self._show_visit(self.session.visit)
            self.unsaved_box.show_lines(lines)
            self.saved_label.setText(f"Showing {conflict.changed_by}'s version; your changes are listed below")
            return False
        self._open_conflict = conflict
        self._deadline.stop()
        return False

    # ------------------------------------------------------------------ signing, addenda, navigation
    def sign(self) -> None:
        if (self.visit is None or self.visit.signed or not self.sign_button.isEnabled()
                or self.read_only_reason is not None or not self.save_now()):
            return
        session = self.session
        assert session is not None
        try:
            done, signed = with_password(self, "Sign this visit?", sign_question(self.records), session.sign)
        except DraftConflictError as conflict:  # changed elsewhere since the last save: nothing was signed
            self._resolve_conflict(DraftConflictError(conflict.theirs, self.changes()))
            return
        except (StoreError, ValidationError) as exc:
            QMessageBox.warning(self, "Not signed", str(exc))
            return
        if not done or signed is None:
            return
        self.open_visit(signed.id)
        self.visit_signed.emit(signed.id)

    def add_addendum(self, text: str | None = None) -> None:
        if self.visit is None or not self.visit.signed or not self.addendum_button.isEnabled():
            return
        if text is None:
            text, ok = QInputDialog.getMultiLineText(self, "Add addendum", "Correction or late entry:")
            if not ok:
                return
        if not text.strip():
            return
        visit_id = self.visit.id
        try:
            done, _added = with_password(self, "Add addendum", addendum_question(self.records),
                                         lambda password: self.records.add_addendum(visit_id, text, password))
        except (StoreError, ValidationError) as exc:
            QMessageBox.warning(self, "Addendum not added", str(exc))
            again, ok = QInputDialog.getMultiLineText(self, "Add addendum", "Correction or late entry:", text)
            if ok:  # what was typed comes back for another try, never dropped
                self.add_addendum(again)
            return
        if done:
            self.open_visit(visit_id)

    def jump_to(self, key: str) -> None:
        """Scroll to and focus the field of an 'assess next' item."""
        head, _, tail = key.partition(".")
        widget: QWidget | None = None
        if head == "strength":
            widget = self.neuro.grades.get(tail)
        elif head == "reflexes":
            widget = self.neuro.reflexes.get(tail)
        elif head == "repeated_movements":
            widget = self.direction
        elif head in ("sensory_loss", "symptoms"):
            widget = self.body_chart
        else:
            widget = self.findings.widgets.get(key)
        if widget is not None:
            self.form_scroll.ensureWidgetVisible(widget)
            target = widget.buttons[1] if hasattr(widget, "buttons") else widget
            target.setFocus()

    def confirm_leave(self, action: str = "Close") -> bool:
        """Save; if anything typed is still not saved, ask, with Keep editing as the default."""
        if self.visit is None or self.save_now():
            return True
        conflict = self._open_conflict
        if conflict is not None:
            detail = (f"{conflict.changed_by} changed this visit elsewhere, so your latest changes are not saved. "
                      "Keep editing and save again to keep them as a new draft.")
        elif self.unsaved_fields:
            self._show_first_problem()
            names = ", ".join(_field_words(f) for f in self.unsaved_fields)
            detail = (f"Everything else is saved. {names.capitalize()} could not be saved; the text is kept and "
                      "offered again when you reopen this visit.")
        else:
            detail = "The last changes could not be saved. They are kept and offered again when you reopen this visit."
        box = QMessageBox(QMessageBox.Icon.Warning, "Not everything is saved", detail, parent=self)
        box.setObjectName("unsaved_close_dialog")
        keep = box.addButton("Keep editing", QMessageBox.ButtonRole.RejectRole)
        keep.setObjectName("keep_editing_button")
        leave_words = f"{action} without my latest changes" if conflict is not None else f"{action} anyway"
        leave = box.addButton(leave_words, QMessageBox.ButtonRole.DestructiveRole)
        leave.setObjectName("leave_anyway_button")
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.exec()
        return box.clickedButton() is leave

    def close_visit(self) -> None:
        if self.visit is None or not self.confirm_leave():
            return
        self.leave()

    def leave(self) -> None:
        """Stop editing (what could not be saved stays in the recovery journal)."""
        if self.visit is None:
            return
        visit_id = self.visit.id
        self._quiet.stop()
        self._deadline.stop()
        self._dirty_since = None
        self.settings.remove(SESSION_KEY)
        self._release()
        self.closed.emit(visit_id)


def _field_words(field: str) -> str:
    head, _, tail = field.partition(".")
    return (tail if head == "narrative" else field).replace("_", " ").replace(".", " ")


def _with_recovered(visit: Visit, recovered: dict[str, Any]) -> Visit:
    """The visit as the user last had it: values from the recovery journal put back over the stored ones."""
    if not recovered:
        return visit
    narrative = dict(visit.narrative)
    fields: dict[str, Any] = {}
    for key, value in recovered.items():
        head, _, section = key.partition(".")
        if head == "narrative" and section and isinstance(value, str):
            narrative[section] = value
        elif key == "intake" and (value is None or isinstance(value, dict)):
            fields["intake"] = value
        elif isinstance(value, dict if key in ("measures", "care") else str) and key in ("measures", "care",
                                                                                      "visit_time"):
            fields[key] = value
    return dataclasses.replace(visit, narrative=narrative, **fields)


