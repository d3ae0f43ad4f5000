"""Form pieces the account screens share: an account's details, a new password typed twice with
the password policy's message inline, a password field, and the inline error line."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

if TYPE_CHECKING:  # the login screen uses this module too, and needs no password policy (nor argon2)
    from ptassist.security.passwords import PasswordPolicy

ERROR_STYLE = "color: #b3261e;"
NOTE_STYLE = "color: #5b6b78;"


def error_label(name: str) -> QLabel:
    """A red one-line message under a form (wrong password, lockout, a refused value)."""
    label = QLabel()
    label.setObjectName(name)
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    return label


def show_problem(label: QLabel, text: str) -> None:
    """A refusal, in red (the policy, a wrong password, a name taken)."""
    label.setStyleSheet(ERROR_STYLE)
    label.setText(text)


def show_note(label: QLabel, text: str) -> None:
    """Progress or a result, in the normal colour ("Checking…", "The password is reset")."""
    label.setStyleSheet(NOTE_STYLE)
    label.setText(text)


def password_edit(name: str, accessible: str) -> QLineEdit:
    """A password field: the characters are never shown."""
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setAccessibleName(accessible)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


def text_edit(name: str, accessible: str, text: str = "") -> QLineEdit:
    edit = QLineEdit(text)
    edit.setObjectName(name)
    edit.setAccessibleName(accessible)
    return edit


def align_label_columns(*groups: AccountDetailsFields | NewPasswordFields) -> None:
    """Give the label columns of forms stacked one above the other the same width, so their fields
    start at one edge (each QFormLayout sizes its own label column)."""
    items = [group.form.itemAt(row, QFormLayout.ItemRole.LabelRole)
             for group in groups for row in range(group.form.rowCount())]
    labels = [label for item in items if item is not None and isinstance(label := item.widget(), QLabel)]
    width = max((label.sizeHint().width() for label in labels), default=0)
    for label in labels:
        label.setMinimumWidth(width)


class AccountDetailsFields(QWidget):
    """Name, credentials, registration number and contact: what a signed sheet names."""

    def __init__(self, prefix: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = text_edit(f"{prefix}_name", "Full name")
        self.name.setPlaceholderText("as it is printed on signed notes")
        self.credentials = text_edit(f"{prefix}_credentials", "Credentials")
        self.credentials.setPlaceholderText("e.g. PT, DPT")
        self.registration = text_edit(f"{prefix}_registration", "Registration or licence number")
        self.contact = text_edit(f"{prefix}_contact", "Direct phone or e-mail")
        self.form = form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Full name", self.name)
        form.addRow("Credentials", self.credentials)
        form.addRow("Registration / licence no.", self.registration)
        form.addRow("Contact (phone or e-mail)", self.contact)

    def problem(self) -> str | None:
        return None if self.name.text().strip() else "Please enter the full name."


class NewPasswordFields(QWidget):
    """A new password typed twice; what the policy says about it is shown as it is typed."""

    def __init__(self, prefix: str, policy: PasswordPolicy | None = None, parent: QWidget | None = None) -> None:
        from ptassist.security.passwords import DEFAULT_POLICY

        super().__init__(parent)
        self.policy = policy = policy or DEFAULT_POLICY
        self.user_name = ""
        self.first = password_edit(f"{prefix}_password", "New password")
        self.second = password_edit(f"{prefix}_password_again", "New password again")
        self.message = QLabel(f"At least {policy.min_length} characters; a few words make a good password.")
        self.message.setObjectName(f"{prefix}_password_problem")
        self.message.setWordWrap(True)
        self.form = form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Password", self.first)
        form.addRow("Password again", self.second)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(form)
        column.addWidget(self.message)
        self.first.textChanged.connect(self._show_problem)
        self.second.textChanged.connect(self._show_problem)

    def password(self) -> str:
        return self.first.text()

    def problem(self) -> str | None:
        """Why the typed password cannot be used (the policy's sentence, or the two differ)."""
        reason = self.policy.problem(self.first.text(), user_name=self.user_name or None)
        if reason is None and self.first.text() != self.second.text():
            reason = "The two passwords are not the same."
        return reason

    def _show_problem(self) -> None:
        reason = self.problem() if self.first.text() else None
        if reason is not None and not self.second.text() and "not the same" in reason:
            reason = None  # not typed twice yet
        self.message.setStyleSheet(ERROR_STYLE if reason else "")
        self.message.setText(reason or ("Both match." if self.second.text() else "Now type it again below."))

    def clear(self) -> None:
        self.first.clear()
        self.second.clear()
