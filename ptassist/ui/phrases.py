"""Text phrases per clinician: an abbreviation typed in any text field, then Ctrl+Space, becomes its
phrase (or, on no abbreviation, a menu of phrases to insert). Kept in the UI settings under the
acting clinician's name: they are the clinician's templates, never patient data.
"""

from __future__ import annotations

import json

from PySide6.QtCore import QSettings
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

SHORTCUT = "Ctrl+Space"
MAX_PHRASES = 200


class PhraseBook:
    """The acting clinician's phrases: abbreviation -> text."""

    def __init__(self, settings: QSettings, owner: str) -> None:
        self.settings = settings
        self.owner = owner  # the logged-in clinician's name

    @property
    def key(self) -> str:
        return "phrases/" + self.owner.replace("/", "_")

    def load(self) -> dict[str, str]:
        try:
            raw = json.loads(str(self.settings.value(self.key, "{}") or "{}"))
        except json.JSONDecodeError:
            return {}
        return {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}

    def save(self, phrases: dict[str, str]) -> None:
        cleaned = {k.strip(): v for k, v in phrases.items() if k.strip() and v.strip()}
        self.settings.setValue(self.key, json.dumps(dict(list(cleaned.items())[:MAX_PHRASES]), ensure_ascii=False))


def _word_before(text: str, position: int) -> str:
    start = position
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    return text[start:position]


def expand_in(widget: QWidget | None, phrases: dict[str, str], *, menu_parent: QWidget | None = None) -> bool:
    """Expand the abbreviation before the cursor of a text field (one undo step); with none, offer a menu.

    Returns True when text was inserted."""
    if isinstance(widget, QPlainTextEdit) and not widget.isReadOnly():
        cursor = widget.textCursor()
        block = cursor.block().text()
        word = _word_before(block, cursor.positionInBlock())
        if word in phrases:
            cursor.beginEditBlock()
            cursor.movePosition(QTextCursor.MoveOperation.Left, QTextCursor.MoveMode.KeepAnchor, len(word))
            cursor.insertText(phrases[word])
            cursor.endEditBlock()
            widget.setTextCursor(cursor)
            return True
        return _menu(widget, phrases, widget.insertPlainText, menu_parent)
    if isinstance(widget, QLineEdit) and not widget.isReadOnly():
        word = _word_before(widget.text(), widget.cursorPosition())
        if word in phrases:
            for _ in word:
                widget.cursorBackward(True)
            widget.insert(phrases[word].replace("\n", " "))
            return True
        return _menu(widget, phrases, lambda t: widget.insert(t.replace("\n", " ")), menu_parent)
    return False


def _menu(widget: QWidget, phrases: dict[str, str], insert: object, parent: QWidget | None) -> bool:
    if not phrases:
        return False
    menu = QMenu(parent or widget)
    menu.setObjectName("phrase_menu")
    for abbreviation, text in phrases.items():
        shown = text if len(text) <= 60 else text[:57] + "…"
        action = menu.addAction(f"{abbreviation} — {shown}")
        action.setData(text)
    chosen = menu.exec(widget.mapToGlobal(widget.rect().center()))
    if chosen is None:
        return False
    insert(str(chosen.data()))  # type: ignore[operator]
    return True


class PhrasesDialog(QDialog):
    """Edit the acting clinician's phrases."""

    def __init__(self, book: PhraseBook, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("phrases_dialog")
        self.setWindowTitle("Text phrases")
        self.book = book
        self.table = QTableWidget(0, 2)
        self.table.setObjectName("phrases_table")
        self.table.setHorizontalHeaderLabels(["Abbreviation", "Phrase"])
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        for abbreviation, text in book.load().items():
            self.add_row(abbreviation, text)
        add = QPushButton("Add")
        add.setObjectName("phrases_add")
        add.clicked.connect(lambda: self.add_row("", ""))
        remove = QPushButton("Remove")
        remove.setObjectName("phrases_remove")
        remove.clicked.connect(lambda: self.table.removeRow(self.table.currentRow()))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setObjectName("phrases_save")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch()
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Type an abbreviation in any text field, then {SHORTCUT}, to insert its phrase. "
                                f"These phrases belong to {book.owner}."))
        layout.addWidget(self.table)
        layout.addLayout(row)
        layout.addWidget(buttons)
        self.resize(720, 420)

    def add_row(self, abbreviation: str, text: str) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, 0, QTableWidgetItem(abbreviation))
        self.table.setItem(row, 1, QTableWidgetItem(text))
        self.table.setCurrentCell(row, 0)

    def save(self) -> None:
        phrases = {}
        for row in range(self.table.rowCount()):
            key, value = self.table.item(row, 0), self.table.item(row, 1)
            if key is not None and value is not None:
                phrases[key.text()] = value.text()
        self.book.save(phrases)
        self.accept()
