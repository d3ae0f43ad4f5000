"""Print a sheet: the home-exercise builder, referral options, a preview inside the app (QtPdf),
then Print (the system dialog) or Save as PDF. PDFs are built off the GUI thread.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QIcon, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QStyledItemDelegate,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ptassist.core.exercises import DOSAGE_KEYS, Exercise, load_library, suggested_for
from ptassist.core.records import DOCUMENT_TITLES
from ptassist.core.resources import resource_path
from ptassist.core.sheets import NO_EXERCISES, default_recipient
from ptassist.services.draft_session import DraftConflictError, DraftSession
from ptassist.services.printing import Printing
from ptassist.services.records import Records
from ptassist.store.errors import StoreError
from ptassist.ui.acting import acting_name
from ptassist.ui.widgets.pdf_pane import PdfPane
from ptassist.ui.worker import run_in_background

DOSAGE_LABELS = {"sets": "Sets", "reps": "Reps", "hold_seconds": "Hold (s)", "per_day": "/day", "per_week": "/week",
                 "duration_minutes": "Minutes"}


def thumbnail(exercise: Exercise, size: QSize = QSize(96, 60)) -> QIcon:  # noqa: B008
    renderer = QSvgRenderer(str(resource_path("exercises", exercise.illustration)))
    image = QImage(size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    return QIcon(QPixmap.fromImage(image))


class DosageDelegate(QStyledItemDelegate):
    """Dosages as numbers edited with a spin box; 0 shows as a dash (none)."""

    def displayText(self, value: Any, locale: Any) -> str:  # noqa: N802 - Qt API
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value) if value else "—"
        return str(super().displayText(value, locale))

    def createEditor(self, parent: QWidget, option: Any, index: Any) -> QWidget:  # noqa: N802 - Qt API
        if isinstance(index.data(Qt.ItemDataRole.EditRole), int):
            spin = QSpinBox(parent)
            spin.setRange(0, 500)
            spin.setSpecialValueText("—")
            return spin
        return super().createEditor(parent, option, index)


class ExerciseBuilder(QWidget):
    """Suggested exercises first, the whole library searchable; add, remove, reorder, edit dosage."""

    def __init__(self, working_diagnosis: list[str], prescription: list[dict[str, Any]], editable: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("hep_builder")
        self.library = load_library()
        suggested = [e.id for e in suggested_for(working_diagnosis, self.library)]
        self.search = QLineEdit(placeholderText="Search the exercise library")
        self.search.setObjectName("exercise_search")
        self.search.textChanged.connect(self._fill_library)
        self.available = QListWidget()
        self.available.setObjectName("exercise_library")
        self.available.setIconSize(QSize(96, 60))
        self.available.setWordWrap(True)
        self.available.setAccessibleName("Exercise library (double-click or Add to prescribe)")
        self.available.itemDoubleClicked.connect(lambda item: self.add(item.data(Qt.ItemDataRole.UserRole)))
        self.suggested = suggested
        self.table = QTableWidget(0, 2 + len(DOSAGE_KEYS))
        self.table.setObjectName("prescription_table")
        self.table.setHorizontalHeaderLabels(["Exercise", *(DOSAGE_LABELS[k] for k in DOSAGE_KEYS), "Note"])
        self.table.setItemDelegate(DosageDelegate(self.table))
        self.table.itemChanged.connect(self._edited)
        self._rendering = False
        self.rows: list[dict[str, Any]] = []
        add = QPushButton("Add →")
        add.setObjectName("add_exercise_button")
        add.clicked.connect(self.add_selected)
        remove, up, down = QPushButton("Remove"), QPushButton("Up"), QPushButton("Down")
        remove.setObjectName("remove_exercise_button")
        remove.clicked.connect(self.remove_current)
        up.clicked.connect(lambda: self.move_row(-1))
        down.clicked.connect(lambda: self.move_row(1))
        left = QVBoxLayout()
        left.addWidget(self.search)
        left.addWidget(self.available)
        left.addWidget(add)
        right = QVBoxLayout()
        right.addWidget(self.table)
        buttons = QHBoxLayout()
        for button in (remove, up, down):
            buttons.addWidget(button)
        right.addLayout(buttons)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 2)
        layout.addLayout(right, 3)
        self._fill_library("")
        for item in prescription or [{"exercise": e} for e in suggested]:
            self.add(item["exercise"], item)
        self.setEnabled(editable)

    def _fill_library(self, text: str) -> None:
        self.available.clear()
        found = self.library.search(text) if text.strip() else list(self.library.exercises.values())
        rank = {eid: i for i, eid in enumerate(self.suggested)}
        found.sort(key=lambda e: rank.get(e.id, len(rank)))
        for exercise in found:
            mark = "★ " if exercise.id in self.suggested else ""
            item = QListWidgetItem(thumbnail(exercise), f"{mark}{exercise.name}")
            item.setData(Qt.ItemDataRole.UserRole, exercise.id)
            item.setToolTip(exercise.purpose)
            self.available.addItem(item)

    def add_selected(self) -> None:
        current = self.available.currentItem()
        if current is not None:
            self.add(current.data(Qt.ItemDataRole.UserRole))

    def add(self, exercise_id: str, item: dict[str, Any] | None = None) -> None:
        """Prescribe an exercise; one already in the programme is selected instead of added twice
        (Add, a double-click and Enter on the same exercise mean it once)."""
        existing = next((r for r, row in enumerate(self.rows) if row["exercise"] == exercise_id), None)
        if existing is not None:
            self.table.selectRow(existing)
            return
        exercise = self.library.exercises[exercise_id]
        row = {"exercise": exercise_id, **{k: (item or {}).get(k, exercise.dosage.get(k)) for k in DOSAGE_KEYS},
               "notes": (item or {}).get("notes", "")}
        self.rows.append(row)
        self._render()

    def remove_current(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.rows):
            self.rows.pop(row)
            self._render()

    def move_row(self, step: int) -> None:
        row = self.table.currentRow()
        target = row + step
        if 0 <= row < len(self.rows) and 0 <= target < len(self.rows):
            self.rows[row], self.rows[target] = self.rows[target], self.rows[row]
            self._render()
            self.table.selectRow(target)

    def _render(self) -> None:
        self._rendering = True
        self.table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            name = QTableWidgetItem(self.library.exercises[row["exercise"]].name)
            name.setFlags(name.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.table.setItem(r, 0, name)
            for c, key in enumerate(DOSAGE_KEYS, start=1):
                amount = QTableWidgetItem()
                amount.setData(Qt.ItemDataRole.EditRole, int(row.get(key) or 0))
                self.table.setItem(r, c, amount)
            self.table.setItem(r, len(DOSAGE_KEYS) + 1, QTableWidgetItem(row.get("notes", "")))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        self._rendering = False

    def _edited(self, item: QTableWidgetItem) -> None:
        """A dosage (a number; 0 means none) or a note typed into the table."""
        if self._rendering or not 0 <= item.row() < len(self.rows) or item.column() == 0:
            return
        row = self.rows[item.row()]
        if item.column() == len(DOSAGE_KEYS) + 1:
            row["notes"] = item.text()
        else:
            row[DOSAGE_KEYS[item.column() - 1]] = int(item.data(Qt.ItemDataRole.EditRole) or 0) or None

    def prescription(self) -> list[dict[str, Any]]:
        return [{k: v for k, v in row.items() if v not in (None, "")} for row in self.rows]


class PrintDialog(QDialog):
    """Options, a live preview and the print or save actions for one sheet of one visit."""

    def __init__(self, records: Records, visit_id: int, sheet: str, parent: QWidget | None = None,
                 auto_build: bool = True, session: DraftSession | None = None) -> None:
        super().__init__(parent)
        self.records = records
        self.printing = Printing(records)
        self.visit_id = visit_id
        self.sheet = sheet
        self.setObjectName("print_dialog")
        self.setWindowTitle(DOCUMENT_TITLES[sheet])
        self.resize(1200, 800)
        if session is None:  # opened on its own: it owns the draft while it is open
            visit = records.visits.get(visit_id)
            assert visit is not None
            session = DraftSession(records, visit, lambda: acting_name(records))
        self.session = session
        visit = session.visit
        self._saved_prescription = list(visit.prescription)
        self._close_warned = False
        self.options = QWidget()
        options = QVBoxLayout(self.options)
        self.builder: ExerciseBuilder | None = None
        self.recipient = QLineEdit()
        self.addition = QPlainTextEdit()
        self.addition.setTabChangesFocus(True)  # Tab moves on; it never traps the keyboard
        self.urgency = QComboBox()
        # Issue 11 (sheets): large print for every sheet; for an urgent red flag the programme
        # prints only when the clinician confirms it; a letter goes by default where the urgency says.
        live = records.assess(visit.intake, visit.patient_id) if visit.intake else None
        assessment = visit.assessment or (live.to_json() if live else {})
        self.large_print = QCheckBox("Large print (14 pt)")
        self.large_print.setObjectName("large_print")
        self.confirm_programme = QCheckBox("Print the exercises although an urgent red flag fired")
        self.confirm_programme.setObjectName("confirm_programme")
        self.confirm_programme.setVisible(sheet == "hep" and assessment.get("urgency") == "urgent")
        if sheet == "hep":
            self.builder = ExerciseBuilder(assessment.get("working_diagnosis", []), visit.prescription,
                                           editable=not visit.signed)
            options.addWidget(self.builder)
            options.addWidget(self.confirm_programme)
        elif sheet == "referral":
            form = QFormLayout()
            patient = records.patients.get(visit.patient_id)
            self.recipient.setObjectName("referral_recipient")
            recipient = default_recipient(patient, assessment.get("urgency", "none"))[0] if patient else ""
            self.recipient.setText(recipient)
            self.urgency.setObjectName("referral_urgency")
            for value in ("", "emergency", "urgent", "routine"):
                self.urgency.addItem(value or "from the checklist", value or None)
            self.addition.setObjectName("referral_addition")
            self.addition.setFixedHeight(90)
            form.addRow("To", self.recipient)
            form.addRow("Urgency", self.urgency)
            form.addRow("Additional text", self.addition)
            options.addLayout(form)
        else:
            options.addWidget(QLabel("The summary of this visit, with outcome measures and their trend."))
        options.addWidget(self.large_print)
        refresh = QPushButton("Update preview")
        refresh.setObjectName("update_preview_button")
        refresh.clicked.connect(self.build)
        options.addWidget(refresh)
        self.pane = PdfPane(f"{sheet}.pdf")
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        self.pane.buttons.addWidget(close)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.options)
        splitter.addWidget(self.pane)
        splitter.setSizes([760, 640])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        if auto_build:
            QTimer.singleShot(0, self.build)

    @property
    def visit(self) -> Any:
        return self.session.visit

    def save_prescription(self) -> bool:
        """Keep the programme with the draft, through the draft's session (so no other window goes stale).
        False, with the reason on the status line, when it could not be saved."""
        if self.builder is None or self.visit.signed:
            return True
        prescription = self.builder.prescription()
        if prescription == self._saved_prescription:
            return True
        try:
            self.session.save(prescription=prescription)
        except DraftConflictError as conflict:
            self.pane.status.setText(f"Programme not saved: {conflict}")
            QMessageBox.warning(self, "Programme not saved", f"{conflict}. Your programme is still here and was not "
                                "saved: close this window again to close it without the programme, then reopen "
                                "the visit to see the other changes.")
            return False
        except (StoreError, ValueError) as exc:
            self.pane.status.setText(f"Programme not saved: {exc}")
            return False
        self._saved_prescription = prescription
        return True

    def _work_for(self) -> Any:
        """The work that builds the sheet (on any thread): everything it needs is read here, on this one."""
        visit_id = self.visit.id
        if self.sheet == "hep":
            chosen = self.builder.prescription() if self.builder is not None else None
            confirm, large = self.confirm_programme.isChecked(), self.large_print.isChecked()
            return lambda: self.printing.hep(visit_id, prescription=chosen, confirm_programme=confirm,
                                             large_print=large)
        large = self.large_print.isChecked()
        if self.sheet == "referral":
            to, urgency, addition = (self.recipient.text().strip() or None, self.urgency.currentData(),
                                     self.addition.toPlainText())
            return lambda: self.printing.referral(visit_id, to=to, urgency=urgency, addition=addition,
                                                  large_print=large)
        return lambda: self.printing.summary(visit_id, large_print=large)

    def build(self) -> None:
        """Save the programme, then build the PDF off the GUI thread and show it."""
        self.save_prescription()
        self.pane.set_busy("Building preview…")
        run_in_background(self._work_for(), self._show, self._failed)

    def build_now(self) -> None:
        """The same, synchronously (tests and screenshots)."""
        self.save_prescription()
        self._show(self._work_for()())

    def _show(self, printed: Any) -> None:
        note = "DRAFT (not stored)" if printed.draft else "stored with the signed visit"
        if self.builder is not None and not self.builder.rows:
            note = f"{NO_EXERCISES[:-1]} · {note}"
        self.pane.show_pdf(printed.pdf, note)

    def done(self, result: int) -> None:  # Close, Escape and closing the window all end here
        """Keep what was prescribed (even without a preview); if it cannot be saved, the first Close
        leaves the dialog open with the programme in it, and only a second one closes it."""
        if not self.save_prescription() and not self._close_warned:
            self._close_warned = True
            return
        super().done(result)

    def _failed(self, exc: BaseException, _details: str) -> None:
        self.pane.status.setText(f"Could not build the sheet: {exc}")
        QMessageBox.warning(self, "Printing", f"Could not build the sheet: {exc}")
