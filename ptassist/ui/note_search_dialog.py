"""Find a note by what it says: in one patient's visits (from the chart) or across all patients
(from the patient list). Opening a hit opens that visit."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ptassist.core.sheets import kind_label
from ptassist.core.when import local_day
from ptassist.services.records import Records
from ptassist.store.note_search import NoteHit

SEARCH_DELAY_MS = 250


class NoteSearchDialog(QDialog):
    """A search field over the notes and the visits that match, newest first."""

    visit_chosen = Signal(int)

    def __init__(self, records: Records, patient_id: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("note_search_dialog")
        self.records = records
        self.patient_id = patient_id
        self.hits: list[NoteHit] = []
        self.setWindowTitle("Search this patient's notes" if patient_id is not None else "Search all notes")
        self.query = QLineEdit(placeholderText="Words in the notes, e.g. marathon stairs")
        self.query.setObjectName("note_search_query")
        self.query.setAccessibleName("Search the notes")
        self.query.setClearButtonEnabled(True)
        self.results = QTableWidget(0, 4 if patient_id is None else 3)
        self.results.setObjectName("note_search_results")
        self.results.setAccessibleName("Visits whose notes match")
        headers = ["Date", "Kind", "Found in the notes"]
        self.results.setHorizontalHeaderLabels(headers if patient_id is not None else ["Patient", *headers])
        self.results.horizontalHeader().setSectionResizeMode(self.results.columnCount() - 1,
                                                             QHeaderView.ResizeMode.Stretch)
        self.results.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results.verticalHeader().hide()
        self.results.cellActivated.connect(lambda row, _c: self.open_hit(row))
        self.status = QLabel("Type words from the notes; every word must appear (word beginnings match).")
        self.status.setObjectName("note_search_status")
        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.search_now)
        self.query.textChanged.connect(lambda _t: self._timer.start())
        self.query.returnPressed.connect(self._return_pressed)
        layout = QVBoxLayout(self)
        layout.addWidget(self.query)
        layout.addWidget(self.status)
        layout.addWidget(self.results, 1)
        self.resize(900, 520)

    def search_now(self) -> None:
        self._timer.stop()
        self.hits = self.records.notes.search(self.query.text(), patient_id=self.patient_id)
        self.results.setRowCount(len(self.hits))
        for row, hit in enumerate(self.hits):
            cells = [local_day(hit.visit_time), f"{kind_label(hit.kind)} ({hit.status})", hit.snippet]
            if self.patient_id is None:
                cells.insert(0, hit.patient_name)
            for column, value in enumerate(cells):
                self.results.setItem(row, column, QTableWidgetItem(value))
        if self.query.text().strip():
            self.status.setText(f"{len(self.hits)} visit{'s' if len(self.hits) != 1 else ''} found"
                                + (" (the newest 50)" if len(self.hits) == 50 else "") + ". Enter or double-click "
                                "opens one.")

    def _return_pressed(self) -> None:
        self.search_now()
        if self.hits:
            self.open_hit(max(0, self.results.currentRow()))

    def open_hit(self, row: int) -> None:
        if 0 <= row < len(self.hits):
            self.visit_chosen.emit(self.hits[row].visit_id)
            self.accept()
