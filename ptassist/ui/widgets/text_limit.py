"""A note under a text field: a character counter near the field's limit, and why it was not saved.

The limit comes from the same constant the store enforces, so the counter and the refusal agree.
"""

from __future__ import annotations

import unicodedata

from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit, QWidget

NEAR = 0.9  # show the counter from this share of the limit on
PROBLEM_STYLE = "border: 2px solid #b3261e;"


def stored_length(text: str) -> int:
    """The length the store measures: stripped and NFC-normalised."""
    return len(unicodedata.normalize("NFC", text.strip()))


class LimitNote(QLabel):
    """Counts the characters of one field as they are typed and marks the field when it is refused."""

    def __init__(self, edit: QPlainTextEdit | QLineEdit, limit: int, label: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = edit
        self.limit = limit
        self.label = label
        self.problem: str | None = None
        self.setObjectName(f"{edit.objectName()}_note")
        self.setWordWrap(True)
        self.hide()
        if isinstance(edit, QPlainTextEdit):
            edit.textChanged.connect(self.update_note)
        else:
            edit.textChanged.connect(lambda _text: self.update_note())

    def text_of_field(self) -> str:
        return self.edit.toPlainText() if isinstance(self.edit, QPlainTextEdit) else self.edit.text()

    def over(self) -> bool:
        return stored_length(self.text_of_field()) > self.limit

    def set_problem(self, problem: str | None) -> None:
        """Mark the field as not saved (with why), or clear the mark."""
        self.problem = problem
        self.update_note()

    def update_note(self) -> None:
        length = stored_length(self.text_of_field())
        over = length > self.limit
        words: list[str] = []
        if length >= self.limit * NEAR:
            words.append(f"{length:,} / {self.limit:,} characters")
        if over:
            words.append(f"{length - self.limit:,} over the limit: shorten it to save it")
        if self.problem and not over:
            words.append(f"not saved: {self.problem}")
        elif self.problem:
            words.append("not saved; the rest of the visit is saved and this text is kept")
        self.setText(" · ".join(words))
        marked = over or bool(self.problem)
        self.setStyleSheet("color: #b3261e; font-weight: bold;" if marked else "color: #5b6b78;")
        self.edit.setStyleSheet(PROBLEM_STYLE if marked else "")
        self.setVisible(bool(words))
