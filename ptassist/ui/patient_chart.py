"""A patient's chart: header, visit timeline with urgency badges, outcome trend, documents."""

from __future__ import annotations

from datetime import date
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ptassist.core.records import DOCUMENT_TITLES, VISIT_KINDS, Patient, VisitSummary
from ptassist.core.sheets import kind_label
from ptassist.core.when import local_day, local_minute
from ptassist.services.draft_session import DraftSessions, default_visit_kind
from ptassist.services.records import Records
from ptassist.store.errors import StoreError
from ptassist.ui.acting import acting_name
from ptassist.ui.background_dialog import BackgroundDialog, background_html
from ptassist.ui.note_search_dialog import NoteSearchDialog
from ptassist.ui.widgets.trend_chart import TrendChart

if TYPE_CHECKING:
    from ptassist.ui.document_viewer import DocumentViewer

URGENCY_STYLE = {
    "emergency": ("EMERGENCY", "#b3261e"),
    "urgent": ("URGENT", "#b85c00"),
    "routine": ("routine", "#24465e"),
    # The history row keeps the urgency only: "none" may mean an unfinished screen, so never "all clear".
    "none": ("no flag fired", "#5b6b78"),
}
CONDITION_LABELS = {
    "itbs": "ITBS", "lumbar_radicular": "Lumbar radicular", "meralgia_paresthetica": "Meralgia",
    "fibular_neuropathy": "Fibular neuropathy", "gtps": "GTPS", "hip_oa": "Hip OA", "lateral_meniscus": "Lat. meniscus",
    "lcl_injury": "LCL", "patellofemoral_pain": "PFP", "ptfj_dysfunction": "PTFJ",
    "biceps_femoris_tendinopathy": "Biceps femoris", "popliteus_tendinopathy": "Popliteus",
    "bone_stress_injury": "Bone stress",
}


class PatientChartScreen(QWidget):
    """Everything about one patient at a glance."""

    visit_opened = Signal(int)
    back_requested = Signal()
    edit_requested = Signal(int)

    def __init__(self, records: Records, sessions: DraftSessions | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.records = records
        self.sessions = sessions or DraftSessions(records, lambda: acting_name(records))
        self.patient: Patient | None = None
        self.history: list[VisitSummary] = []
        self.setObjectName("patient_chart")
        back = QPushButton("← Patients")
        back.setObjectName("chart_back_button")
        back.clicked.connect(self.back_requested.emit)
        self.header = QLabel()
        self.header.setObjectName("chart_header")
        self.header.setTextFormat(Qt.TextFormat.RichText)
        edit = QPushButton("Edit patient")
        edit.setObjectName("edit_patient_button")
        edit.clicked.connect(lambda: self.patient and self.edit_requested.emit(self.patient.id))
        background = QPushButton("Background…")
        background.setObjectName("background_button")
        background.setToolTip("Conditions, medications and allergies: kept for every visit")
        background.clicked.connect(self.edit_background)
        notes = QPushButton("Search notes…")
        notes.setObjectName("chart_search_notes_button")
        notes.setToolTip("Find a visit of this patient by what its notes say")
        notes.clicked.connect(self.search_notes)
        self.background_summary = QLabel()
        self.background_summary.setObjectName("background_summary")
        self.background_summary.setTextFormat(Qt.TextFormat.RichText)
        self.background_summary.setWordWrap(True)
        self.kind = QComboBox()
        self.kind.setObjectName("new_visit_kind")
        self.kind.setAccessibleName("Kind of new visit")
        for kind in VISIT_KINDS:
            self.kind.addItem(kind_label(kind), kind)
        new_visit = QPushButton("New visit")
        new_visit.setObjectName("new_visit_button")
        new_visit.clicked.connect(self.new_visit)
        top = QHBoxLayout()
        top.addWidget(back)
        top.addWidget(self.header, 1)
        top.addWidget(edit)
        top.addWidget(background)
        top.addWidget(notes)
        top.addWidget(self.kind)
        top.addWidget(new_visit)

        self.timeline = QTableWidget(0, 6)
        self.timeline.setObjectName("visit_timeline")
        self.timeline.setAccessibleName("Visit timeline")
        self.timeline.setHorizontalHeaderLabels(["Date", "Kind", "Status", "Working diagnosis", "Urgency", "Scores"])
        self.timeline.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.timeline.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.timeline.verticalHeader().hide()
        self.timeline.setWordWrap(False)
        header = self.timeline.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.timeline.cellActivated.connect(lambda row, _col: self.visit_opened.emit(self.history[row].id))
        self.timeline.itemSelectionChanged.connect(self._show_documents)
        self.chart = TrendChart()
        self.documents = QListWidget()
        self.documents.setObjectName("visit_documents")
        self.documents.setAccessibleName("Printed documents of the selected visit")
        self.documents.itemActivated.connect(lambda _item: self.open_document())
        self.documents.currentItemChanged.connect(lambda *_: self._document_buttons())
        self.open_button = QPushButton("Open")
        self.open_button.setObjectName("open_document_button")
        self.open_button.setToolTip("Show the sheet exactly as it was printed")
        self.open_button.clicked.connect(self.open_document)
        self.reprint_button = QPushButton("Print again…")
        self.reprint_button.setObjectName("reprint_document_button")
        self.reprint_button.clicked.connect(self.reprint_document)
        documents_box = QWidget()
        documents_layout = QVBoxLayout(documents_box)
        documents_layout.setContentsMargins(0, 0, 0, 0)
        documents_layout.addWidget(QLabel("Printed for this visit"))
        documents_layout.addWidget(self.documents, 1)
        document_buttons = QHBoxLayout()
        document_buttons.addWidget(self.open_button)
        document_buttons.addWidget(self.reprint_button)
        documents_layout.addLayout(document_buttons)
        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(self.chart)
        lower.addWidget(documents_box)
        lower.setSizes([700, 300])
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("chart_splitter")
        self.splitter.addWidget(self.timeline)
        self.splitter.addWidget(lower)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.background_summary)
        layout.addWidget(self.splitter, 1)

    def show_patient(self, patient_id: int) -> None:
        patient = self.records.patients.get(patient_id)
        if patient is None:
            return
        self.patient = patient
        self.records.audit.log(acting_name(self.records), "view", "patient", patient.id)
        age = patient.age_on(date.today())
        referrer = f" · referred by {patient.referring_physician}" if patient.referring_physician else ""
        details = f"{age} years · {patient.sex or 'sex not recorded'} · chart {patient.chart_number}{referrer}"
        self.header.setText(f"<b style='font-size:16pt'>{escape(patient.display_name)}</b><br>{escape(details)}")
        self._show_background()
        self.refresh()
        self._default_kind()

    def _show_background(self) -> None:
        if self.patient is not None:
            background = self.records.background(self.patient.id)[1]
            self.background_summary.setText(background_html(background, self.records.background_rules))

    def background_dialog(self) -> BackgroundDialog | None:
        """The background editor for this patient (not shown: :meth:`edit_background` runs it)."""
        if self.patient is None:
            return None
        dialog = BackgroundDialog(self.records, self.patient.id, acting_name(self.records), parent=self)
        dialog.accepted.connect(self._show_background)
        return dialog

    def note_search(self) -> NoteSearchDialog | None:
        """Search within this patient's notes; a chosen visit opens (not shown: :meth:`search_notes`)."""
        if self.patient is None:
            return None
        dialog = NoteSearchDialog(self.records, self.patient.id, parent=self)
        dialog.visit_chosen.connect(self.visit_opened.emit)
        return dialog

    def search_notes(self) -> None:
        dialog = self.note_search()
        if dialog is not None:
            dialog.exec()

    def edit_background(self) -> None:
        dialog = self.background_dialog()
        if dialog is not None:
            dialog.exec()

    def _default_kind(self) -> None:
        """First visit: initial evaluation; later ones: follow-up (never the previous patient's choice)."""
        kind = default_visit_kind(len(self.history))
        self.kind.setCurrentIndex(max(0, self.kind.findData(kind)))

    def refresh(self) -> None:
        if self.patient is None:
            return
        selected = self.selected_visit()
        scroll = self.timeline.verticalScrollBar().value()
        self.history = self.records.visits.history(self.patient.id)
        header = self.timeline.horizontalHeader()
        # Filled with the columns fixed, then sized to their contents once: sized on every cell, a
        # refresh cost O(rows x cells) (160 ms at 30 visits), and it runs whenever another workstation signs.
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.timeline.setRowCount(len(self.history))
        for row, visit in enumerate(self.history):
            words, colour = URGENCY_STYLE.get(visit.urgency or "none", ("-", "#5b6b78"))
            scores = "  ".join(f"{k.upper()} {v:g}" for k, v in visit.scores.items())
            cells = [local_minute(visit.visit_time), kind_label(visit.kind), visit.status,
                     " + ".join(CONDITION_LABELS.get(c, c) for c in visit.working_diagnosis) or "-", words, scores]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 4:
                    item.setForeground(QBrush(QColor(colour)))
                    if visit.urgency in ("emergency", "urgent"):
                        font = item.font()
                        font.setBold(True)
                        item.setFont(font)
                self.timeline.setItem(row, column, item)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        oldest_first = list(reversed(self.history))
        series = {name.upper(): [(local_day(v.visit_time), v.scores[name]) for v in oldest_first if name in v.scores]
                  for name in ("nprs", "lefs", "odi", "psfs")}
        self.chart.set_series(series)
        if self.history:
            ids = [v.id for v in self.history]
            self.timeline.selectRow(ids.index(selected) if selected in ids else 0)
            self.timeline.verticalScrollBar().setValue(scroll)  # a refresh after a change elsewhere stays put
        self._show_documents()  # also when the selection did not change (a sheet was just printed)

    def new_visit(self) -> None:
        """Start a draft; a follow-up copies the previous visit's findings forward."""
        if self.patient is None:
            return
        visit = self.sessions.start(self.patient.id, self.kind.currentData())
        self.refresh()
        self._default_kind()
        self.visit_opened.emit(visit.id)

    def _show_documents(self) -> None:
        self.documents.clear()
        chosen = self.selected_visit()
        visit = next((v for v in self.history if v.id == chosen), None)
        for document in self.records.documents.for_visit(visit.id) if visit else []:
            printed_at = local_minute(document.created_at)
            item = QListWidgetItem(f"{DOCUMENT_TITLES.get(document.kind, document.kind)} · printed {printed_at}")
            item.setData(Qt.ItemDataRole.UserRole, document.id)
            self.documents.addItem(item)
        if self.documents.count():
            self.documents.setCurrentRow(self.documents.count() - 1)
        elif visit is not None:
            hint = "sheets printed from it are kept here" if visit.status == "signed" else \
                "drafts print with a DRAFT mark and are not kept; sign the visit first"
            empty = QListWidgetItem(f"Nothing printed yet: {hint}")
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.documents.addItem(empty)
        self._document_buttons()

    def selected_visit(self) -> int | None:
        """The id of the visit selected in the timeline."""
        rows = self.timeline.selectionModel().selectedRows()
        return self.history[rows[0].row()].id if rows and rows[0].row() < len(self.history) else None

    def selected_document(self) -> int | None:
        item = self.documents.currentItem()
        value = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return int(value) if value is not None else None

    def _document_buttons(self) -> None:
        chosen = self.selected_document() is not None
        self.open_button.setEnabled(chosen)
        self.reprint_button.setEnabled(chosen)

    def _viewer(self) -> DocumentViewer | None:
        from ptassist.ui.document_viewer import DocumentViewer

        document_id = self.selected_document()
        if document_id is None:
            return None
        try:
            return DocumentViewer(self.records, document_id, parent=self)
        except StoreError as exc:
            QMessageBox.critical(self, "Document", str(exc))
            return None

    def open_document(self) -> None:
        """The selected sheet, exactly as it was printed."""
        viewer = self._viewer()
        if viewer is not None:
            viewer.exec()

    def reprint_document(self) -> None:
        """The selected sheet straight to the system print dialog (the same bytes as the first time)."""
        viewer = self._viewer()
        if viewer is not None:
            viewer.pane.print_pdf()
            viewer.deleteLater()
