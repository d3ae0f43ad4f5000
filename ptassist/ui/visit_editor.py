"""The visit editor: the intake form, generated from the vocabulary, beside the live checklist.

Every change re-runs the engine (well under a millisecond) and is saved within two seconds; a
quiet indicator says when. Signing asks for confirmation naming the clinician and locks the visit;
signed visits open read-only with their addenda.
"""

from __future__ import annotations

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

from ptassist.core.intake import DIRECTIONS, DISTAL_RESPONSES, INTAKE_FORMAT, LOCAL_RESPONSES
from ptassist.core.records import Patient, Visit
from ptassist.core.validation import ValidationError
from ptassist.core.when import local_day, local_minute
from ptassist.services.records import Records, default_actor
from ptassist.store.errors import ConflictError, LockedError, StoreError
from ptassist.ui.checklist_panel import ChecklistPanel
from ptassist.ui.red_flag_banner import RedFlagBanner
from ptassist.ui.session import SESSION_KEY
from ptassist.ui.widgets.body_chart import BodyChart
from ptassist.ui.widgets.findings_form import FindingsForm
from ptassist.ui.widgets.measures_form import MeasuresForm
from ptassist.ui.widgets.neuro_grid import NeuroGrid

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

    def __init__(self, records: Records, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.records = records
        self.settings = settings
        self.visit: Visit | None = None
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
        self.print_buttons = []
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.saved_label)
        for sheet, text in (("hep", "Programme…"), ("referral", "Referral…"), ("summary", "Summary…")):
            button = QPushButton(text)
            button.setObjectName(f"print_{sheet}_button")
            button.clicked.connect(lambda _c=False, s=sheet: self.visit and self.print_requested.emit(self.visit.id, s))
            top.addWidget(button)
            self.print_buttons.append(button)
        top.addWidget(self.addendum_button)
        top.addWidget(self.sign_button)
        top.addWidget(close)
        self.banner = RedFlagBanner()

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
        soap_box = QGroupBox("Notes (SOAP)")
        soap_form = QFormLayout(soap_box)
        self.narrative: dict[str, QPlainTextEdit] = {}
        for key in ("subjective", "objective", "assessment", "plan"):
            edit = QPlainTextEdit()
            edit.setTabChangesFocus(True)  # Tab moves on; it never traps the keyboard
            edit.setObjectName(f"narrative_{key}")
            edit.setAccessibleName(key.capitalize())
            edit.setFixedHeight(70)
            soap_form.addRow(key.capitalize(), edit)
            self.narrative[key] = edit
        form_layout.addWidget(soap_box)
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
        self.checklist = ChecklistPanel(vocabulary)
        self.checklist.assess_requested.connect(self.jump_to)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("editor_splitter")
        self.splitter.addWidget(scroll)
        self.splitter.addWidget(self.checklist)
        self.splitter.setSizes([760, 440])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter, 1)

        self._quiet = QTimer(self, singleShot=True, interval=AUTOSAVE_QUIET_MS)
        self._quiet.timeout.connect(self.save_now)
        self._deadline = QTimer(self, singleShot=True, interval=AUTOSAVE_MAX_MS)
        self._deadline.timeout.connect(self.save_now)
        for signal in (self.findings.changed, self.neuro.changed, self.measures.changed, self.body_chart.changed):
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
    def open_visit(self, visit_id: int) -> bool:
        visit = self.records.visits.get(visit_id)
        if visit is None:
            return False
        self.visit = visit
        self.patient = self.records.patients.get(visit.patient_id)
        self._loading = True
        try:
            self._load(visit)
        finally:
            self._loading = False
        self.records.audit.log(default_actor(), "view", "visit", visit.id)
        self._apply_lock()
        self.refresh_checklist()
        if visit.signed:
            self.settings.remove(SESSION_KEY)
        else:
            self.settings.setValue(SESSION_KEY, visit.id)
        return True

    def _load(self, visit: Visit) -> None:
        intake = visit.intake or {}
        name = self.patient.display_name if self.patient else ""
        self.title.setText(f"<b>{escape(name)}</b> · {visit.kind.replace('_', ' ')} · {local_day(visit.visit_time)} · "
                           f"{'SIGNED by ' + escape(visit.signed_by or '') if visit.signed else 'draft'}")
        self.side.setCurrentIndex(max(0, self.side.findData(intake.get("side", ""))))
        default_side = intake.get("side", "left") if intake.get("side") in ("left", "right") else "left"
        self.body_chart.set_marks(intake.get("symptoms"), intake.get("sensory_loss"), default_side)
        status = "both" if "sensory_loss" in intake else ("symptoms" if "symptoms" in intake else "none")
        self.symptoms_done.setCurrentIndex(self.symptoms_done.findData(status))
        self.findings.set_values(intake.get("findings", {}))
        self.neuro.set_values(intake.get("strength", {}), intake.get("reflexes", {}))
        moves = intake.get("repeated_movements", {})
        for combo, key in self._movement_fields():
            combo.setCurrentIndex(max(0, combo.findData(moves.get(key, ""))))
        self.measures.set_values(visit.measures)
        for key, edit in self.narrative.items():
            edit.setPlainText(visit.narrative.get(key, ""))
        self.addenda.clear()
        for addendum in self.records.visits.addenda(visit.id):
            self.addenda.addItem(f"{local_minute(addendum.created_at)} · {addendum.clinician_name}: "
                                 f"{addendum.text}")
        self.addenda_box.setVisible(visit.signed)
        self.saved_label.setText("Signed and locked" if visit.signed else "Saved")

    def _apply_lock(self) -> None:
        signed = bool(self.visit and self.visit.signed)
        self.form_widget.setEnabled(not signed)
        self.addenda_box.setEnabled(True)
        self.sign_button.setVisible(not signed)
        self.addendum_button.setVisible(signed)

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
            self.checklist.show_assessment(assessment, frozen=True, intake=self.visit.intake)
            self.banner.hide()
            return
        try:
            live = self.records.engine.assess_json(self.intake())
        except Exception as exc:
            self.checklist.setPlainText(f"The checklist could not read this intake: {exc}")
            return
        assessment = live.to_json()
        self.checklist.show_assessment(assessment, intake=self.intake())
        self.banner.show_flags(assessment)

    def on_changed(self, *_args: Any) -> None:
        if self._loading or self.visit is None or self.visit.signed:
            return
        self.refresh_checklist()
        if self._dirty_since is None:
            self._dirty_since = time.monotonic()
            self._deadline.start()
        self._quiet.start()
        self.saved_label.setText("Editing…")

    def save_now(self) -> bool:
        """Save the draft now; returns False (keeping everything typed) when it could not be saved."""
        self._quiet.stop()
        self._deadline.stop()
        if self.visit is None or self.visit.signed or self._dirty_since is None:
            return True
        try:
            self.visit = self.records.save_draft(
                self.visit,
                actor=default_actor(),
                intake=self.intake(),
                measures=self.measures.values(),
                narrative={k: e.toPlainText() for k, e in self.narrative.items() if e.toPlainText().strip()},
            )
        except ConflictError as exc:
            self.saved_label.setText("Not saved: changed elsewhere")
            QMessageBox.warning(self, "This visit was changed elsewhere", f"{exc}\n\nNothing was overwritten. "
                                "Close and reopen the visit to see the other changes.")
            return False
        except (StoreError, ValidationError, LockedError) as exc:
            self.saved_label.setText(f"Not saved: {exc}")
            self._deadline.start()  # keep trying; what was typed stays in the form
            return False
        self._dirty_since = None
        self.saved_label.setText(f"Saved {time.strftime('%H:%M:%S')}")
        return True

    # ------------------------------------------------------------------ signing, addenda, navigation
    def clinician_name(self) -> str | None:
        name = str(self.settings.value("clinician/name", "") or "")
        if name:
            return name
        name, ok = QInputDialog.getText(self, "Clinician", "Your name as it should appear on signed notes:")
        if ok and name.strip():
            self.settings.setValue("clinician/name", name.strip())
            return name.strip()
        return None

    def confirm_sign(self, clinician: str) -> bool:
        answer = QMessageBox.question(
            self, "Sign this visit?",
            f"Sign and lock this visit as {clinician}?\n\nA signed visit cannot be changed; corrections go in addenda.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Yes

    def sign(self) -> None:
        if self.visit is None or self.visit.signed or not self.save_now():
            return
        clinician = self.clinician_name()
        if not clinician or not self.confirm_sign(clinician):
            return
        credentials = str(self.settings.value("clinician/credentials", "") or "")
        try:
            signed = self.records.sign(self.visit.id, clinician, credentials=credentials,
                                       base_version=self.visit.version)
        except (StoreError, ValidationError, LockedError) as exc:
            QMessageBox.warning(self, "Not signed", str(exc))
            return
        self.open_visit(signed.id)
        self.visit_signed.emit(signed.id)

    def add_addendum(self, text: str | None = None) -> None:
        if self.visit is None or not self.visit.signed:
            return
        if text is None:
            text, ok = QInputDialog.getMultiLineText(self, "Add addendum", "Correction or late entry:")
            if not ok:
                return
        clinician = self.clinician_name()
        if not clinician or not text.strip():
            return
        try:
            self.records.add_addendum(self.visit.id, text, clinician)
        except (StoreError, ValidationError) as exc:
            QMessageBox.warning(self, "Addendum not added", str(exc))
            return
        self.open_visit(self.visit.id)

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

    def close_visit(self) -> None:
        if self.visit is None:
            return
        saved = self.save_now()
        if not saved:
            answer = QMessageBox.question(self, "Unsaved changes", "The last changes could not be saved. Close anyway?")
            if answer != QMessageBox.StandardButton.Yes:
                return
        visit_id = self.visit.id
        self.settings.remove(SESSION_KEY)
        self.visit = None
        self.closed.emit(visit_id)


