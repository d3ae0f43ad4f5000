"""The first start (no ``ptassist.keys`` in the data folder): create the clinic's first account,
an administrator who is also a clinician, and choose whether the records are encrypted."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QLabel, QPushButton, QVBoxLayout, QWidget

from ptassist import paths
from ptassist.security.argon2_params import PRODUCTION, Argon2Parameters
from ptassist.ui.account_fields import (
    AccountDetailsFields,
    NewPasswordFields,
    align_label_columns,
    error_label,
    show_note,
    show_problem,
)
from ptassist.ui.worker import run_in_background

if TYPE_CHECKING:
    from ptassist.services.identity import SignedIn

ENCRYPT_EXPLANATION = (
    "The records, their backups and exports are encrypted with a key that only your password (or "
    "the recovery key) opens. Leave this on unless the whole disk is already encrypted by the "
    "computer (BitLocker, FileVault, LUKS): only then is <tt>ptassist setup --unencrypted</tt> "
    "a reasonable choice.")
SERVER_EXPLANATION = (
    "The records are kept on the clinic's PostgreSQL server: TLS protects them on the way and the "
    "server's disk encryption where they are (docs/postgresql.md). The accounts made here log in "
    "on every workstation pointed at the same server.")


class FirstStartScreen(QWidget):
    """Set up the records: the first account and the encryption choice."""

    set_up_done = Signal(object, str)  # (SignedIn, the recovery key text to show once)

    def __init__(self, folder: Path, *, params: Argon2Parameters = PRODUCTION, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.params = params
        self.setObjectName("first_start_screen")
        title = QLabel("<h2>Welcome to ptassist</h2>Create the first account: you will be the clinic's "
                       "administrator and can sign notes. Others get their accounts from you later.")
        title.setWordWrap(True)
        self.details = AccountDetailsFields("first")
        self.passwords = NewPasswordFields("first")
        align_label_columns(self.details, self.passwords)
        self.details.name.textChanged.connect(lambda text: setattr(self.passwords, "user_name", text))
        on_server = not paths.database_url(folder).startswith("sqlite")
        self.encrypt = QCheckBox("Encrypt the records (recommended)")
        self.encrypt.setObjectName("encrypt_records")
        self.encrypt.setChecked(not on_server)  # SQLCipher is for the file; a server encrypts its disk
        self.encrypt.setVisible(not on_server)
        explanation = QLabel(SERVER_EXPLANATION if on_server else ENCRYPT_EXPLANATION)
        explanation.setObjectName("encrypt_explanation")
        explanation.setWordWrap(True)
        explanation.setTextFormat(Qt.TextFormat.RichText)
        explanation.setStyleSheet("color: #5b6b78;")
        self.error = error_label("first_start_error")
        self.create_button = QPushButton("Create the account")
        self.create_button.setObjectName("create_account_button")
        self.create_button.setDefault(True)
        self.create_button.clicked.connect(self.submit)
        column = QVBoxLayout(self)
        column.setContentsMargins(40, 30, 40, 30)
        for widget in (title, self.details, self.passwords, self.encrypt, explanation, self.error):
            column.addWidget(widget)
        column.addWidget(self.create_button, 0, Qt.AlignmentFlag.AlignRight)
        column.addStretch(1)

    def submit(self) -> None:
        """Check the form here (one message, nothing typed is lost), then set up off the GUI thread."""
        reason = self.details.problem() or self.passwords.problem()
        if reason is not None:
            show_problem(self.error, reason)
            return
        show_note(self.error, "Creating the records and your keys…")
        self.create_button.setEnabled(False)
        details = self.details
        request: dict[str, Any] = {
            "name": details.name.text().strip(), "password": self.passwords.password(),
            "credentials": details.credentials.text().strip(), "registration": details.registration.text().strip(),
            "contact": details.contact.text().strip(), "encrypted": self.encrypt.isChecked(), "params": self.params}

        def work() -> tuple[SignedIn, str]:
            from ptassist.services.identity import set_up

            return set_up(self.folder, **request)

        run_in_background(work, self._done, self._failed)

    def _done(self, result: tuple[SignedIn, str]) -> None:
        self.error.clear()
        self.passwords.clear()
        signed_in, recovery_text = result
        self.set_up_done.emit(signed_in, recovery_text)

    def _failed(self, exc: BaseException, _details: str) -> None:
        from ptassist.services.identity import IdentityError

        self.create_button.setEnabled(True)
        # An identity error is one safe line (the policy, a name); anything else names only its kind.
        show_problem(self.error, str(exc) if isinstance(exc, (IdentityError, OSError)) else
                     f"The records could not be set up ({type(exc).__name__}).")
