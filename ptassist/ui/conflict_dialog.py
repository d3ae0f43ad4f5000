"""The question asked when a draft was changed elsewhere: every answer keeps the user's work."""

from __future__ import annotations

from PySide6.QtWidgets import QGroupBox, QLabel, QMessageBox, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from ptassist.services.draft_session import DraftConflictError

KEEP_BOTH = "keep_both"
LOAD_THEIRS = "load_theirs"
KEEP_EDITING = "keep_editing"


class ConflictDialog(QMessageBox):
    """Names who changed the draft and offers: save mine as a new draft (the default), load theirs
    with my changes shown beside it, or keep editing. None of them throws anything away."""

    def __init__(self, conflict: DraftConflictError, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conflict_dialog")
        self.setIcon(QMessageBox.Icon.Warning)
        self.setWindowTitle("This visit was changed elsewhere")
        self.setText(f"{conflict}.")
        self.setInformativeText("Your latest changes are not saved yet, and nothing has been overwritten. "
                                "You can keep both versions.")
        self.keep_both = self.addButton("Save mine as a new draft", QMessageBox.ButtonRole.AcceptRole)
        self.keep_both.setObjectName("conflict_keep_both")
        self.load_theirs = self.addButton("Load theirs, show my changes", QMessageBox.ButtonRole.ActionRole)
        self.load_theirs.setObjectName("conflict_load_theirs")
        self.keep_editing = self.addButton("Keep editing", QMessageBox.ButtonRole.RejectRole)
        self.keep_editing.setObjectName("conflict_keep_editing")
        self.setDefaultButton(self.keep_both)
        self.setEscapeButton(self.keep_editing)

    def choice(self) -> str:
        clicked = self.clickedButton()
        if clicked is self.keep_both:
            return KEEP_BOTH
        if clicked is self.load_theirs:
            return LOAD_THEIRS
        return KEEP_EDITING

    @classmethod
    def ask(cls, conflict: DraftConflictError, parent: QWidget | None = None) -> str:
        dialog = cls(conflict, parent)
        dialog.exec()
        return dialog.choice()


class UnsavedChangesPanel(QGroupBox):
    """After loading the other version: what the user had typed, to copy back what they need."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Your changes that are not in this version", parent)
        self.setObjectName("unsaved_changes_box")
        self.text = QPlainTextEdit()
        self.text.setObjectName("unsaved_changes_text")
        self.text.setAccessibleName("Your unsaved changes")
        self.text.setReadOnly(True)
        self.text.setTabChangesFocus(True)
        self.text.setMaximumHeight(140)  # the form stays the main thing on screen
        dismiss = QPushButton("Dismiss")
        dismiss.setObjectName("unsaved_changes_dismiss")
        dismiss.clicked.connect(self.hide)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("The version saved elsewhere is loaded in the form below. What you had typed is "
                                "listed here: copy what you need back into the form."))
        layout.addWidget(self.text)
        layout.addWidget(dismiss)
        self.hide()

    def show_lines(self, lines: list[str]) -> None:
        self.text.setPlainText("\n\n".join(lines) or "No differences in what you had changed.")
        self.show()
