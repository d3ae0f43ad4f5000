"""A PDF shown inside the app (QtPdf), with Save as PDF… and Print… (the system print dialog)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ptassist.security.files import write_private


class PdfPane(QWidget):
    """Preview, status line and the save and print buttons for one PDF."""

    printed = Signal()  # the system print dialog was accepted and the pages sent

    def __init__(self, file_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.file_name = file_name
        self.pdf = b""
        self.document = QPdfDocument(self)
        self.preview = QPdfView(self)
        self.preview.setObjectName("pdf_preview")
        self.preview.setAccessibleName("Preview")
        self.preview.setDocument(self.document)
        self.preview.setPageMode(QPdfView.PageMode.MultiPage)
        self.preview.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        # Fit-to-width with an as-needed scroll bar loops for ever at some sizes: the bar appears, the
        # page narrows and gets shorter, so the bar goes, the page widens and gets taller, so it comes
        # back ... and the GUI thread spins in layout requests. A bar that is always there keeps the
        # width, and so the zoom, independent of the page's height.
        self.preview.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.preview.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.status = QLabel("Building preview…")
        self.status.setObjectName("print_status")
        self.status.setWordWrap(True)
        # A long status wraps instead of widening the pane (and squeezing what sits beside it).
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.save_button = QPushButton("Save as PDF…")
        self.save_button.setObjectName("save_pdf_button")
        self.save_button.clicked.connect(self.save_pdf)
        self.print_button = QPushButton("Print…")
        self.print_button.setObjectName("print_button")
        self.print_button.clicked.connect(self.print_pdf)
        self.buttons = QHBoxLayout()
        self.buttons.addWidget(self.status, 1)
        self.buttons.addWidget(self.save_button)
        self.buttons.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.preview, 1)
        layout.addLayout(self.buttons)
        self._buffer: QBuffer | None = None
        self.set_busy("Building preview…")

    def set_busy(self, message: str) -> None:
        self.status.setText(message)
        self.save_button.setEnabled(False)
        self.print_button.setEnabled(False)

    def show_pdf(self, pdf: bytes, note: str) -> None:
        self.pdf = pdf
        self._buffer = QBuffer(self)
        self._buffer.setData(QByteArray(pdf))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(self._buffer)
        self.status.setText(f"{self.document.pageCount()} page(s) · {note}")
        self.save_button.setEnabled(True)
        self.print_button.setEnabled(True)

    def save_to(self, path: Path) -> None:
        write_private(path, self.pdf)  # 0600: a sheet names the patient

    def save_pdf(self) -> None:
        name, _filter = QFileDialog.getSaveFileName(self, "Save as PDF", self.file_name, "PDF files (*.pdf)")
        if name:
            try:
                self.save_to(Path(name))
            except OSError as exc:
                QMessageBox.warning(self, "Not saved", f"Could not save {name}: {exc.strerror or exc}")

    def print_pdf(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if QPrintDialog(printer, self).exec() != QDialog.DialogCode.Accepted:
            return
        self.print_to(printer)

    def print_to(self, printer: QPrinter) -> None:
        """Each page drawn to the printer at its resolution."""
        painter = QPainter(printer)
        for page in range(self.document.pageCount()):
            if page:
                printer.newPage()
            rect = painter.viewport()
            painter.drawImage(rect, self.document.render(page, rect.size()))
        painter.end()
        self.printed.emit()
