"""The question asked when a draft was changed elsewhere: every answer keeps the user's work."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

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
