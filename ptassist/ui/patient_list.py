"""The patient list: search as you type (name in any script, chart number, birth date)."""

from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ptassist.core.records import Patient
from ptassist.ui.session import recent_ids

COLUMNS = ("Name", "Born", "Chart", "Referred by")
SEARCH_DELAY_MS = 25  # coalesces fast typing; the query itself takes a few ms


class PatientLookup(Protocol):
    """Where the list reads patients: the records store, or the start-up directory."""

    def get(self, patient_id: int) -> Patient | None: ...

    def page(self, limit: int = 100, offset: int = 0) -> list[Patient]: ...

    def search(self, query: str, limit: int = 50) -> list[Patient]: ...


class PatientTableModel(QAbstractTableModel):
    """Patients as rows: plain records, never ORM objects."""

    def __init__(self) -> None:
        super().__init__()
        self.patients: list[Patient] = []

    def set_patients(self, patients: list[Patient]) -> None:
        self.beginResetModel()
        self.patients = patients
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.patients)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return len(COLUMNS)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return None
        p = self.patients[index.row()]
        return (p.display_name, p.date_of_birth.isoformat(), p.chart_number, p.referring_physician)[index.column()]

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None


class PatientListScreen(QWidget):
    """Find a patient, or start a new one."""

    patient_opened = Signal(int)
    new_patient_requested = Signal()
    demo_requested = Signal()
    notes_search_requested = Signal()

    def __init__(self, patients: PatientLookup, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lookup = patients
        self.settings = settings
        self.setObjectName("patient_list")
        self.search = QLineEdit(placeholderText="Search by name, chart number or date of birth  (Ctrl+F)")
        self.search.setObjectName("patient_search")
        self.search.setAccessibleName("Search patients")
        self.search.setClearButtonEnabled(True)
        new = QPushButton("New patient")
        new.setObjectName("new_patient_button")
        new.clicked.connect(self.new_patient_requested.emit)
        top = QHBoxLayout()
        notes = QPushButton("Search notes…")
        notes.setObjectName("search_notes_button")
        notes.setToolTip("Find a visit by what its notes say, across all patients")
        notes.clicked.connect(self.notes_search_requested.emit)
        top.addWidget(self.search, 1)
        top.addWidget(notes)
        top.addWidget(new)
        self.recent = QHBoxLayout()
        self.recent_box = QWidget()
        self.recent_box.setObjectName("recent_patients")
        self.recent_box.setLayout(self.recent)
        self.recent.setContentsMargins(0, 0, 0, 0)
        self.recent_box.setStyleSheet("QPushButton#recent_patient_button { color: #1f5f8b; text-decoration: underline;"
                                      " border: none; padding: 2px 6px; }"
                                      "QPushButton#recent_patient_button:focus { outline: 1px dashed #1f5f8b; }")

        self.model = PatientTableModel()
        self.table = QTableView()
        self.table.setObjectName("patient_table")
        self.table.setAccessibleName("Patients")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setAlternatingRowColors(True)
        self.table.activated.connect(self._open_index)

        self.empty = QWidget()
        self.empty.setObjectName("patient_empty_state")
        message = QLabel("<h3>No patients yet</h3><p>Add one with <b>New patient</b> (Ctrl+N), "
                         "or load demo data to look around.</p>")
        message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        demo = QPushButton("Load demo data")
        demo.setObjectName("load_demo_button")
        demo.clicked.connect(self.demo_requested.emit)
        empty_layout = QVBoxLayout(self.empty)
        empty_layout.addStretch()
        empty_layout.addWidget(message)
        empty_layout.addWidget(demo, 0, Qt.AlignmentFlag.AlignCenter)
        empty_layout.addStretch()
        self.no_match = QLabel("No patient matches this search.")
        self.no_match.setObjectName("patient_no_match")
        self.no_match.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.stack = QStackedWidget()
        for widget in (self.table, self.empty, self.no_match):
            self.stack.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.recent_box)
        layout.addWidget(self.stack, 1)

        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _text: self._timer.start())
        self.search.returnPressed.connect(self._open_first)
        QShortcut(QKeySequence(Qt.Key.Key_Down), self.search, self.table.setFocus)
        self.refresh()
        self.show_recent()

    def refresh(self) -> None:
        """Re-run the search now (the field waits briefly after typing before calling this)."""
        query = self.search.text().strip()
        patients = self.lookup.search(query) if query else self.lookup.page(limit=200)
        self.model.set_patients(patients)
        if patients:
            self.stack.setCurrentWidget(self.table)
            self.table.selectRow(0)
        elif query:
            self.stack.setCurrentWidget(self.no_match)
        else:
            self.stack.setCurrentWidget(self.empty)

    def refresh_keeping_place(self) -> None:
        """Refresh after a change elsewhere: the same patient stays selected and the list where it was scrolled."""
        rows = self.table.selectionModel().selectedRows()
        chosen = self.model.patients[rows[0].row()].id if rows and rows[0].row() < len(self.model.patients) else None
        scroll = self.table.verticalScrollBar().value()
        self.refresh()
        ids = [p.id for p in self.model.patients]
        if chosen in ids:
            self.table.selectRow(ids.index(chosen))
        self.table.verticalScrollBar().setValue(scroll)

    def show_recent(self) -> None:
        """One button per recently opened patient, most recent first (hidden when there are none)."""
        while self.recent.count():
            item = self.recent.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.setParent(None)  # gone now, not at the next event-loop turn
                widget.deleteLater()
        found = [p for p in (self.lookup.get(i) for i in recent_ids(self.settings)) if p is not None]
        self.recent_box.setVisible(bool(found))
        if not found:
            return
        self.recent.addWidget(QLabel("Recent:"))
        for patient in found:
            button = QPushButton(patient.display_name)
            button.setObjectName("recent_patient_button")
            button.setFlat(True)
            button.setAccessibleName(f"Open recent patient {patient.display_name}")
            button.setToolTip(f"Open {patient.display_name} (chart {patient.chart_number})")
            button.clicked.connect(lambda _checked=False, pid=patient.id: self.patient_opened.emit(pid))
            self.recent.addWidget(button)
        self.recent.addStretch()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _open_index(self, index: QModelIndex) -> None:
        self.patient_opened.emit(self.model.patients[index.row()].id)

    def _open_first(self) -> None:
        self._timer.stop()
        self.refresh()
        rows = self.table.selectionModel().selectedRows()
        if self.model.patients:
            self._open_index(rows[0] if rows else self.model.index(0, 0))
