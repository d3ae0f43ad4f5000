"""The patient's background on the chart: conditions, medications and allergies, with their flags.

Each table row is one item; the flags the engine cares about (resources/clinical/background.toml)
are ticked below the table for the selected row, suggested from the text as it is typed until the
clinician ticks or unticks one. Saving keeps a new version (never overwrites one).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ptassist.core.background import Allergy, Background, BackgroundRules, Condition, Flag, Medication
from ptassist.core.validation import ValidationError
from ptassist.services.records import Records
from ptassist.store.errors import StoreError

FLAGS_ROLE = Qt.ItemDataRole.UserRole
TOUCHED_ROLE = Qt.ItemDataRole.UserRole + 1


class ItemTable(QGroupBox):
    """One list of the background: an editable table, add/remove buttons, the selected row's flags."""

    def __init__(self, name: str, title: str, columns: Sequence[str], flags: dict[str, Flag],
                 suggest: Callable[[list[str]], tuple[str, ...]] | None = None) -> None:
        super().__init__(title)
        self.setObjectName(f"background_{name}")
        self.flags = flags
        self.suggest = suggest
        self.table = QTableWidget(0, len(columns) + (1 if flags else 0))
        self.table.setObjectName(f"background_{name}_table")
        self.table.setAccessibleName(title)
        self.table.setHorizontalHeaderLabels([*columns, *(["Flags"] if flags else [])])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.columns = len(columns)
        add = QPushButton("Add")
        add.setObjectName(f"background_{name}_add")
        add.setAccessibleName(f"Add to {title.lower()}")
        add.clicked.connect(lambda: self.add_row([""] * self.columns))
        remove = QPushButton("Remove")
        remove.setObjectName(f"background_{name}_remove")
        remove.setAccessibleName(f"Remove the selected row of {title.lower()}")
        remove.clicked.connect(self.remove_row)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch()
        self.checks: dict[str, QCheckBox] = {}
        flag_row = QHBoxLayout()
        for fid, flag in flags.items():
            check = QCheckBox(flag.label)
            check.setObjectName(f"background_flag_{fid}")
            check.setToolTip(f"Answers the medical-screen question “{flag.finding}” for each visit"
                             if flag.finding else "Shown on the record and the referral; no rule uses it")
            check.toggled.connect(lambda _on, f=fid: self._flag_toggled(f))
            check.setEnabled(False)
            flag_row.addWidget(check)
            self.checks[fid] = check
        flag_row.addStretch()
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        if flags:
            layout.addWidget(QLabel("Flags of the selected row:"))
            layout.addLayout(flag_row)
        self._syncing = False
        self.table.currentCellChanged.connect(lambda *_: self._show_flags())
        self.table.itemChanged.connect(self._text_changed)

    def add_row(self, values: Sequence[str], flags: Sequence[str] = (), touched: bool = False) -> int:
        self._syncing = True
        row = self.table.rowCount()
        self.table.insertRow(row)
        for column, value in enumerate(values):
            self.table.setItem(row, column, QTableWidgetItem(value))
        if self.flags:
            item = QTableWidgetItem()
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.table.setItem(row, self.columns, item)
            self._set_flags(row, tuple(flags), touched)
        self._syncing = False
        self.table.setCurrentCell(row, 0)
        return row

    def remove_row(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)
        self._show_flags()

    def texts(self, row: int) -> list[str]:
        items = [self.table.item(row, c) for c in range(self.columns)]
        return [item.text().strip() if item is not None else "" for item in items]

    def row_flags(self, row: int) -> tuple[str, ...]:
        item = self.table.item(row, self.columns)
        return tuple(item.data(FLAGS_ROLE) or ()) if item else ()

    def _set_flags(self, row: int, flags: tuple[str, ...], touched: bool) -> None:
        item = self.table.item(row, self.columns)
        if item is None:
            return
        item.setData(FLAGS_ROLE, list(flags))
        item.setData(TOUCHED_ROLE, touched)
        item.setText(", ".join(self.flags[f].label for f in flags if f in self.flags))

    def _show_flags(self) -> None:
        row = self.table.currentRow()
        current = set(self.row_flags(row)) if row >= 0 else set()
        self._syncing = True
        for fid, check in self.checks.items():
            check.setEnabled(row >= 0)
            check.setChecked(fid in current)
        self._syncing = False

    def _flag_toggled(self, _fid: str) -> None:
        row = self.table.currentRow()
        if self._syncing or row < 0:
            return
        chosen = tuple(f for f, check in self.checks.items() if check.isChecked())
        self._syncing = True
        self._set_flags(row, chosen, touched=True)
        self._syncing = False

    def _text_changed(self, item: QTableWidgetItem) -> None:
        """Suggest flags from the text until the clinician has chosen them by hand."""
        if self._syncing or self.suggest is None or item.column() >= self.columns:
            return
        row = item.row()
        flag_item = self.table.item(row, self.columns)
        if flag_item is None or flag_item.data(TOUCHED_ROLE):
            return
        self._syncing = True
        self._set_flags(row, self.suggest(self.texts(row)), touched=False)
        self._syncing = False
        if row == self.table.currentRow():
            self._show_flags()

    def rows(self) -> list[tuple[list[str], tuple[str, ...]]]:
        """Each non-empty row's texts and flags."""
        return [(self.texts(r), self.row_flags(r)) for r in range(self.table.rowCount()) if any(self.texts(r))]


class BackgroundDialog(QDialog):
    """Edit one patient's background; Save keeps a new version."""

    def __init__(self, records: Records, patient_id: int, actor: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("background_dialog")
        self.setWindowTitle("Background: conditions, medications, allergies")
        self.records = records
        self.patient_id = patient_id
        self.actor = actor
        rules: BackgroundRules = records.background_rules
        self.stored, background = records.background(patient_id)
        self.conditions = ItemTable("conditions", "Conditions (medical history)", ("Condition", "ICD-10-CM code"),
                                    rules.condition_flags, lambda t: rules.suggest_condition_flags(t[0], t[1]))
        self.medications = ItemTable("medications", "Medications", ("Name", "Dose", "Frequency"),
                                     rules.medication_flags, lambda t: rules.suggest_medication_flags(t[0]))
        self.allergies = ItemTable("allergies", "Allergies", ("Substance", "Reaction"), {})
        for c in background.conditions:
            self.conditions.add_row([c.text, c.icd10], c.flags, touched=True)
        for m in background.medications:
            self.medications.add_row([m.name, m.dose, m.frequency], m.flags, touched=True)
        for a in background.allergies:
            self.allergies.add_row([a.substance, a.reaction])
        self.problem = QLabel()
        self.problem.setObjectName("background_problem")
        self.problem.setStyleSheet("color: #b3261e;")
        self.problem.setWordWrap(True)
        self.problem.hide()
        version = QLabel(f"Version {self.stored.version} · saved {self.stored.created_at[:16]} by "
                         f"{escape(self.stored.created_by)}" if self.stored.version else "Nothing recorded yet")
        version.setObjectName("background_version")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setObjectName("background_save")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (version, self.conditions, self.medications, self.allergies, self.problem, buttons):
            layout.addWidget(widget)
        self.resize(860, 720)

    def background(self) -> Background:
        return Background(
            tuple(Condition(t[0], t[1].upper(), f) for t, f in self.conditions.rows()),
            tuple(Medication(t[0], t[1], t[2], f) for t, f in self.medications.rows()),
            tuple(Allergy(t[0], t[1]) for t, _f in self.allergies.rows()),
        )

    def save(self) -> bool:
        """Keep the background as a new version; a problem is shown in one line and nothing is lost."""
        try:
            self.stored = self.records.save_background(self.patient_id, self.background(),
                                                       base_version=self.stored.version, actor=self.actor)
        except (ValidationError, StoreError) as exc:
            self.problem.setText(str(exc))
            self.problem.show()
            return False
        self.accept()
        return True


def background_html(background: Background, rules: BackgroundRules) -> str:
    """A short summary for the chart header."""
    def flagged(label: str, flags: Sequence[str]) -> str:
        names = [rules.flag(f).label for f in flags if rules.flag(f)]  # type: ignore[union-attr]
        return escape(label) + (f" <i>({escape(', '.join(names))})</i>" if names else "")

    parts = [
        "<b>Conditions:</b> " + ("; ".join(flagged(c.text + (f" [{c.icd10}]" if c.icd10 else ""), c.flags)
                                           for c in background.conditions) or "none recorded"),
        "<b>Medications:</b> " + ("; ".join(flagged(" ".join(x for x in (m.name, m.dose, m.frequency) if x), m.flags)
                                            for m in background.medications) or "none recorded"),
        "<b>Allergies:</b> " + ("; ".join(escape(a.substance + (f" ({a.reaction})" if a.reaction else ""))
                                          for a in background.allergies) or "none recorded"),
    ]
    return "<br>".join(parts)
