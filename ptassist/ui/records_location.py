"""Settings' "Records location": this computer's file, or a PostgreSQL server shared by several
workstations. Saved for this workstation (its config folder, 0600), without a password; it takes
effect at the next start."""

from __future__ import annotations

import os

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QWidget,
)

from ptassist import paths
from ptassist.store.database import safe_location
from ptassist.store.errors import StoreError
from ptassist.store.server_check import check_connection, checked_server_url
from ptassist.ui.worker import run_in_background

PLACEHOLDER = "postgresql://alex@db.clinic.lan/ptassist?sslmode=verify-full"


class RecordsLocationBox(QGroupBox):
    """Choose where this workstation's records are; :meth:`save` keeps the choice for the next start."""

    tested = Signal(str)  # the one-line answer of "Test connection"

    def __init__(self, current_file: str, parent: QWidget | None = None) -> None:
        super().__init__("Records location (this workstation)", parent)
        self.setObjectName("records_location")
        chosen = paths.chosen_database_url()
        self.file_choice = QRadioButton(f"This computer's file ({current_file})")
        self.file_choice.setObjectName("location_file")
        self.server_choice = QRadioButton("A PostgreSQL server shared by the clinic's workstations")
        self.server_choice.setObjectName("location_server")
        group = QButtonGroup(self)
        group.addButton(self.file_choice)
        group.addButton(self.server_choice)
        self.url = QLineEdit(chosen or "")
        self.url.setObjectName("server_url")
        self.url.setAccessibleName("Server URL")
        self.url.setPlaceholderText(PLACEHOLDER)
        self.url.setToolTip("No password here: ptassist reads it from ~/.pgpass or a pg_service.conf entry "
                            "(?service=NAME), so it is never saved in plain text")
        self.test_button = QPushButton("Test connection")
        self.test_button.setObjectName("test_connection_button")
        self.test_button.clicked.connect(self.test_connection)
        self.result = QLabel()
        self.result.setObjectName("connection_result")
        self.result.setWordWrap(True)
        self.note = QLabel()
        self.note.setObjectName("location_note")
        self.note.setWordWrap(True)
        grid = QGridLayout(self)
        grid.addWidget(self.file_choice, 0, 0, 1, 3)
        grid.addWidget(self.server_choice, 1, 0, 1, 3)
        grid.addWidget(self.url, 2, 0, 1, 2)
        grid.addWidget(self.test_button, 2, 2)
        grid.addWidget(self.result, 3, 0, 1, 3)
        grid.addWidget(self.note, 4, 0, 1, 3)
        (self.server_choice if chosen else self.file_choice).setChecked(True)
        self.server_choice.toggled.connect(self._enable)
        self._enable()
        overridden = os.environ.get("PTASSIST_DATABASE_URL")
        if overridden:
            self.note.setText("PTASSIST_DATABASE_URL (or --database-url) names the records for this run; it "
                              "overrides what is chosen here.")

    def _enable(self) -> None:
        server = self.server_choice.isChecked()
        self.url.setEnabled(server)
        self.test_button.setEnabled(server)

    def chosen_url(self) -> str | None:
        """The server URL to save (checked: PostgreSQL, no password), None for this computer's file."""
        if not self.server_choice.isChecked():
            return None
        return checked_server_url(self.url.text())

    def test_connection(self) -> None:
        """Connect off the GUI thread (a server that does not answer takes seconds); one line back."""
        try:
            url = checked_server_url(self.url.text())
        except StoreError as exc:
            self._answer(f"Not saved, not tried: {exc}")
            return
        self.result.setText("Connecting…")
        self.test_button.setEnabled(False)

        def failed(exc: BaseException, _details: str) -> None:
            self._answer(f"Cannot connect: {exc}" if isinstance(exc, StoreError) else
                         f"Cannot connect ({type(exc).__name__})")

        run_in_background(lambda: check_connection(url), lambda _r: self._answer("Connected: the server answers."),
                          failed)

    def _answer(self, text: str) -> None:
        self.result.setText(text)
        self.result.setStyleSheet("color: #1b5e20;" if text.startswith("Connected") else "color: #b3261e;")
        self._enable()
        self.tested.emit(text)

    def save(self) -> bool:
        """Keep the choice for the next start; True when it changes where the records are."""
        url = self.chosen_url()
        if url == paths.chosen_database_url():
            return False
        paths.choose_database_url(url)
        where = f"the server {safe_location(url)}" if url else "this computer's file"
        self.note.setText(f"ptassist opens the records on {where} from its next start.")
        return True
