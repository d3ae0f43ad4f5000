"""A sheet kept with a signed visit, shown exactly as it was printed: print it again or save it."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QPushButton, QVBoxLayout, QWidget

from ptassist.core.records import DOCUMENT_TITLES
from ptassist.core.when import local_minute
from ptassist.services.printing import Printing
from ptassist.services.records import Records
from ptassist.ui.widgets.pdf_pane import PdfPane


class DocumentViewer(QDialog):
    """The stored bytes (checked against their SHA-256) in the preview; reprints are audited."""

    def __init__(self, records: Records, document_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.printing = Printing(records)
        self.document, pdf = self.printing.stored_copy(document_id)  # raises if the copy was altered
        title = DOCUMENT_TITLES.get(self.document.kind, self.document.kind)
        printed_at = local_minute(self.document.created_at)
        self.setObjectName("document_viewer")
        self.setWindowTitle(f"{title}, printed {printed_at}")
        self.resize(900, 1000)
        self.pane = PdfPane(f"{self.document.kind}-{printed_at[:10]}.pdf")
        self.pane.show_pdf(pdf, f"as printed {printed_at} · SHA-256 {self.document.sha256[:12]}… matches")
        self.pane.printed.connect(lambda: self.printing.reprinted(self.document.id))
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        self.pane.buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pane)
