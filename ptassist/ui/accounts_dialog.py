"""Accounts (administrators): the list, adding a user with roles and details, resetting a password.

The services check that an administrator is logged in and that the password meets the policy;
this screen says what they refuse inline and keeps everything typed but the passwords.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ptassist.core.validation import ValidationError
from ptassist.services.account_admin import reset_password
from ptassist.services.identity import IdentityError
from ptassist.store.errors import StoreError
from ptassist.ui.account_fields import (
    AccountDetailsFields,
    NewPasswordFields,
    align_label_columns,
    error_label,
    show_note,
    show_problem,
)

if TYPE_CHECKING:
    from ptassist.services.records import Records

ROLE_LABELS = (("clinician", "Clinician (documents and signs)"), ("assistant", "Assistant (enters drafts)"),
               ("administrator", "Administrator (accounts, backups, settings)"))
COLUMNS = ("Name", "Roles", "Credentials", "Registration", "Contact", "Key fingerprint")


class AccountsDialog(QDialog):
    """List the accounts; add one; reset the password of the one selected."""

    def __init__(self, records: Records, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.records = records
        self.setObjectName("accounts_dialog")
        self.setWindowTitle("Accounts")
        self.setMinimumWidth(820)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("accounts_table")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selection_changed)

        add_box = QGroupBox("Add a user")
        self.new_details = AccountDetailsFields("new_user")
        self.roles: dict[str, QCheckBox] = {}
        role_row = QVBoxLayout()
        for role, label in ROLE_LABELS:
            box = QCheckBox(label)
            box.setObjectName(f"role_{role}")
            self.roles[role] = box
            role_row.addWidget(box)
        self.new_password = NewPasswordFields("new_user")
        align_label_columns(self.new_details, self.new_password)
        self.new_details.name.textChanged.connect(lambda text: setattr(self.new_password, "user_name", text))
        self.add_error = error_label("add_user_error")
        self.add_button = QPushButton("Add user")
        self.add_button.setObjectName("add_user_button")
        self.add_button.clicked.connect(self.add_user)
        add_column = QVBoxLayout(add_box)
        add_column.addWidget(self.new_details)
        add_column.addLayout(role_row)
        add_column.addWidget(self.new_password)
        add_column.addWidget(self.add_error)
        add_column.addWidget(self.add_button)

        reset_box = QGroupBox("Reset the password of the selected account")
        self.reset_for = QLabel("Select an account above.")
        self.reset_for.setObjectName("reset_for")
        self.reset_fields = NewPasswordFields("reset")
        self.reset_error = error_label("reset_password_error")
        self.reset_button = QPushButton("Reset password")
        self.reset_button.setObjectName("reset_password_button")
        self.reset_button.setEnabled(False)
        self.reset_button.clicked.connect(self.reset)
        reset_column = QVBoxLayout(reset_box)
        reset_column.addWidget(self.reset_for)
        reset_column.addWidget(self.reset_fields)
        note = QLabel("A clinician gets a new signing key: what they signed before stays verifiable.")
        note.setWordWrap(True)
        reset_column.addWidget(note)
        reset_column.addWidget(self.reset_error)
        reset_column.addWidget(self.reset_button)

        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        forms = QHBoxLayout()
        forms.addWidget(add_box, 3)
        forms.addWidget(reset_box, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(forms)
        layout.addWidget(close)
        self.refresh()

    def refresh(self) -> None:
        accounts = self.records.accounts.all()
        self.table.setRowCount(len(accounts))
        for row, account in enumerate(accounts):
            roles = ", ".join(role for role, _label in ROLE_LABELS if role in account.roles)
            values = (account.name, roles if account.active else f"{roles} (inactive)", account.credentials,
                      account.registration, account.contact, account.fingerprint)
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()

    def account_names(self) -> list[str]:
        return [self._name_at(row) for row in range(self.table.rowCount())]

    def _name_at(self, row: int) -> str:
        item = self.table.item(row, 0)
        return item.text() if item is not None else ""

    def selected_name(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return self._name_at(rows[0].row()) if rows else None

    def _selection_changed(self) -> None:
        name = self.selected_name()
        self.reset_button.setEnabled(name is not None)
        self.reset_fields.user_name = name or ""
        self.reset_for.setText(f"New password for {name}:" if name else "Select an account above.")
        self.reset_error.clear()

    def add_user(self) -> None:
        roles = frozenset(role for role, box in self.roles.items() if box.isChecked())
        reason = (self.new_details.problem() or (None if roles else "Choose at least one role.")
                  or self.new_password.problem())
        if reason is not None:
            show_problem(self.add_error, reason)
            return
        details = self.new_details
        if not self._attempt(self.add_error, lambda: self.records.add_user(
                details.name.text().strip(), roles, self.new_password.password(),
                credentials=details.credentials.text().strip(), registration=details.registration.text().strip(),
                contact=details.contact.text().strip())):
            return
        self.add_error.clear()
        for edit in (details.name, details.credentials, details.registration, details.contact):
            edit.clear()
        for box in self.roles.values():
            box.setChecked(False)
        self.new_password.clear()
        self.refresh()

    def reset(self) -> None:
        name = self.selected_name()
        if name is None:
            return
        reason = self.reset_fields.problem()
        if reason is not None:
            show_problem(self.reset_error, reason)
            return
        password = self.reset_fields.password()
        if not self._attempt(self.reset_error, lambda: reset_password(self.records, name, password)):
            return
        self.reset_fields.clear()
        show_note(self.reset_error, f"The password of {name} is reset: tell them in person, not by e-mail.")
        self.refresh()

    @staticmethod
    def _attempt(error: QLabel, work: Callable[[], object]) -> bool:
        """Run ``work``; a refusal (the role, the policy, a name taken, the disk) is said under the form."""
        try:
            work()
        except (IdentityError, ValidationError, StoreError) as exc:
            show_problem(error, str(exc))
            return False
        return True
