"""The visit's own record: when it took place, goals, plan of care, what was done, and consent.

The intervention checkboxes come from resources/clinical/care.toml; the values are the visit's
``care`` object (ptassist-care/1) and its ``visit_time``, shown in the visit's clinic zone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDateTime, Qt, QTimeZone, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ptassist.core.care import CARE_FORMAT, GOAL_TERMS, intervention_labels

CONSENT_CHOICES = (("not recorded", None), ("yes", True), ("no", False))


def _checkboxes(prefix: str, changed: Any) -> tuple[QWidget, dict[str, QCheckBox]]:
    box = QWidget()
    grid = QGridLayout(box)
    grid.setContentsMargins(0, 0, 0, 0)
    checks = {}
    for index, (iid, label) in enumerate(intervention_labels().items()):
        check = QCheckBox(label)
        check.setObjectName(f"{prefix}_{iid}")
        check.toggled.connect(changed)
        grid.addWidget(check, index // 3, index % 3)
        checks[iid] = check
    return box, checks


class CareForm(QWidget):
    """Visit time, goals, plan of care, interventions delivered and consent."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._zone = ZoneInfo("UTC")
        emit = self._emit
        self._quiet = False
        when = QGroupBox("The visit")
        when_form = QFormLayout(when)
        self.visit_time = QDateTimeEdit()
        self.visit_time.setObjectName("visit_time_edit")
        self.visit_time.setAccessibleName("Date and time of the visit")
        self.visit_time.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.visit_time.setCalendarPopup(True)
        self.visit_time.setToolTip("When the visit took place (the clinic's local time). A visit in the future "
                                   "cannot be signed.")
        self.visit_time.dateTimeChanged.connect(emit)
        self.zone_label = QLabel()
        row = QHBoxLayout()
        row.addWidget(self.visit_time)
        row.addWidget(self.zone_label)
        row.addStretch()
        when_form.addRow("Date and time", row)
        self.consent = QComboBox()
        self.consent.setObjectName("consent_given")
        self.consent.setAccessibleName("Consent to assessment and treatment")
        for text, value in CONSENT_CHOICES:
            self.consent.addItem(text, value)
        self.consent.currentIndexChanged.connect(emit)
        self.consent_by = QLineEdit()
        self.consent_by.setObjectName("consent_by")
        self.consent_by.setAccessibleName("Consent given by")
        self.consent_by.setPlaceholderText("the patient, or who consented for them")
        self.consent_by.textChanged.connect(emit)
        consent_row = QHBoxLayout()
        consent_row.addWidget(self.consent)
        consent_row.addWidget(QLabel("by"))
        consent_row.addWidget(self.consent_by, 1)
        when_form.addRow("Consent given", consent_row)

        goals = QGroupBox("Goals")
        goals_layout = QVBoxLayout(goals)
        self.goals = QTableWidget(0, 3)
        self.goals.setObjectName("goals_table")
        self.goals.setAccessibleName("Goals")
        self.goals.setHorizontalHeaderLabels(["Term", "Goal", "Target date (YYYY-MM-DD)"])
        self.goals.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.goals.verticalHeader().hide()
        self.goals.setFixedHeight(130)
        self.goals.itemChanged.connect(emit)
        buttons = QHBoxLayout()
        for term in GOAL_TERMS:
            add = QPushButton(f"Add {term}-term goal")
            add.setObjectName(f"add_{term}_goal")
            add.clicked.connect(lambda _c=False, t=term: self.add_goal(t))
            buttons.addWidget(add)
        remove = QPushButton("Remove goal")
        remove.setObjectName("remove_goal")
        remove.clicked.connect(self.remove_goal)
        buttons.addWidget(remove)
        buttons.addStretch()
        goals_layout.addWidget(self.goals)
        goals_layout.addLayout(buttons)

        plan = QGroupBox("Plan of care")
        plan_form = QFormLayout(plan)
        self.frequency = QLineEdit()
        self.frequency.setObjectName("plan_frequency")
        self.frequency.setPlaceholderText("e.g. 2 × per week")
        self.duration = QLineEdit()
        self.duration.setObjectName("plan_duration")
        self.duration.setPlaceholderText("e.g. 6 weeks")
        for edit in (self.frequency, self.duration):
            edit.textChanged.connect(emit)
        planned_box, self.planned = _checkboxes("planned", emit)
        plan_form.addRow("Frequency", self.frequency)
        plan_form.addRow("Duration", self.duration)
        plan_form.addRow("Planned interventions", planned_box)

        session = QGroupBox("Interventions delivered this session")
        session_layout = QVBoxLayout(session)
        delivered_box, self.delivered = _checkboxes("delivered", emit)
        self.delivered_notes = QPlainTextEdit()
        self.delivered_notes.setObjectName("delivered_notes")
        self.delivered_notes.setAccessibleName("What was done this session")
        self.delivered_notes.setPlaceholderText("Parameters, dosage, response …")
        self.delivered_notes.setTabChangesFocus(True)
        self.delivered_notes.setFixedHeight(60)
        self.delivered_notes.textChanged.connect(emit)
        session_layout.addWidget(delivered_box)
        session_layout.addWidget(self.delivered_notes)

        self.problem = QLabel()
        self.problem.setObjectName("care_problem")
        self.problem.setStyleSheet("color: #b3261e;")
        self.problem.setWordWrap(True)
        self.problem.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (when, goals, plan, session, self.problem):
            layout.addWidget(widget)

    def _emit(self, *_args: Any) -> None:
        if not self._quiet:
            self.changed.emit()

    # ------------------------------------------------------------------ goals
    def add_goal(self, term: str, text: str = "", target: str = "") -> int:
        row = self.goals.rowCount()
        self.goals.insertRow(row)
        combo = QComboBox()
        combo.setObjectName(f"goal_term_{row}")
        for value in GOAL_TERMS:
            combo.addItem(f"{value} term", value)
        combo.setCurrentIndex(GOAL_TERMS.index(term))
        combo.currentIndexChanged.connect(self._emit)
        self.goals.setCellWidget(row, 0, combo)
        self.goals.setItem(row, 1, QTableWidgetItem(text))
        self.goals.setItem(row, 2, QTableWidgetItem(target))
        self.goals.setCurrentCell(row, 1)
        return row

    def remove_goal(self) -> None:
        row = self.goals.currentRow()
        if row >= 0:
            self.goals.removeRow(row)
            self._emit()

    def _goal_rows(self) -> list[dict[str, str]]:
        rows = []
        for row in range(self.goals.rowCount()):
            combo = self.goals.cellWidget(row, 0)
            text_item, date_item = self.goals.item(row, 1), self.goals.item(row, 2)
            text = text_item.text().strip() if text_item else ""
            target = date_item.text().strip() if date_item else ""
            if not text and not target:
                continue
            goal = {"term": combo.currentData() if isinstance(combo, QComboBox) else "short", "text": text}
            if target:
                goal["target_date"] = target
            rows.append(goal)
        return rows

    # ------------------------------------------------------------------ values
    def visit_time_text(self) -> str:
        """The time on show, with its zone's offset (ISO 8601)."""
        shown = self.visit_time.dateTime().toString("yyyy-MM-ddTHH:mm:ss")
        return datetime.fromisoformat(shown).replace(tzinfo=self._zone).isoformat()

    def care(self) -> dict[str, Any]:
        data: dict[str, Any] = {"format": CARE_FORMAT}
        goals = self._goal_rows()
        if goals:
            data["goals"] = goals
        plan: dict[str, Any] = {k: e.text().strip() for k, e in (("frequency", self.frequency),
                                                                   ("duration", self.duration)) if e.text().strip()}
        planned = [i for i, c in self.planned.items() if c.isChecked()]
        if planned:
            plan["interventions"] = planned
        if plan:
            data["plan_of_care"] = plan
        session: dict[str, Any] = {}
        delivered = [i for i, c in self.delivered.items() if c.isChecked()]
        if delivered:
            session["interventions"] = delivered
        if self.delivered_notes.toPlainText().strip():
            session["notes"] = self.delivered_notes.toPlainText()
        if session:
            data["session"] = session
        given = self.consent.currentData()
        if given is not None:
            data["consent"] = {"given": given, **({"by": self.consent_by.text().strip()}
                                                  if self.consent_by.text().strip() else {})}
        return data

    def set_values(self, visit_time: str, zone_name: str, care: dict[str, Any]) -> None:
        self._quiet = True
        try:
            try:
                self._zone = ZoneInfo(zone_name or "UTC")
            except (KeyError, ValueError):
                self._zone = ZoneInfo("UTC")
            local = datetime.fromisoformat(visit_time).astimezone(self._zone)
            self.visit_time.setTimeZone(QTimeZone.utc())
            self.visit_time.setDateTime(QDateTime.fromString(local.strftime("%Y-%m-%dT%H:%M:%S"),
                                                             Qt.DateFormat.ISODate))
            self.zone_label.setText(f"({zone_name or 'UTC'})")
            self.goals.setRowCount(0)
            for goal in care.get("goals", []):
                self.add_goal(goal["term"], goal["text"], goal.get("target_date", ""))
            plan = care.get("plan_of_care", {})
            self.frequency.setText(plan.get("frequency", ""))
            self.duration.setText(plan.get("duration", ""))
            for iid, check in self.planned.items():
                check.setChecked(iid in plan.get("interventions", []))
            session = care.get("session", {})
            for iid, check in self.delivered.items():
                check.setChecked(iid in session.get("interventions", []))
            self.delivered_notes.setPlainText(session.get("notes", ""))
            consent = care.get("consent", {})
            self.consent.setCurrentIndex([v for _t, v in CONSENT_CHOICES].index(consent.get("given")))
            self.consent_by.setText(consent.get("by", ""))
        finally:
            self._quiet = False

    def set_problem(self, text: str | None) -> None:
        self.problem.setText(text or "")
        self.problem.setVisible(bool(text))
