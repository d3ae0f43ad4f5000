"""The page every sheet shares: clinic header, patient name and "page x of y", a DRAFT mark.

PDFs are built in reportlab's invariant mode with the dates taken from the visit, so the same
input gives the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from ptassist.core.sheets import SheetMeta
from ptassist.documents.styles import ACCENT, MUTED, RULE
from ptassist.documents.text import draw_text, register_fonts

PAGE_SIZES = {"a4": A4, "letter": LETTER}
MARGIN = 18 * mm
HEADER_HEIGHT = 26 * mm
FOOTER_HEIGHT = 14 * mm


def _footer_canvas(meta: SheetMeta) -> type[rl_canvas.Canvas]:
    """A canvas class that writes 'page x of y', the patient's name and the DRAFT mark at save time."""

    class SheetCanvas(rl_canvas.Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []
            self._sheet_size: tuple[float, float] = kwargs["pagesize"]

        def showPage(self) -> None:  # noqa: N802 - reportlab API
            self._pages.append(dict(self.__dict__))
            self._startPage()  # type: ignore[attr-defined]  # reportlab's page reset, absent from the stubs

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._decorate(number, total)
                super().showPage()
            super().save()

        def _decorate(self, number: int, total: int) -> None:
            width, height = self._sheet_size
            self.setStrokeColor(RULE)
            self.setLineWidth(0.6)
            self.line(MARGIN, FOOTER_HEIGHT, width - MARGIN, FOOTER_HEIGHT)
            self.setFillColor(MUTED)
            who = meta.patient_name or "No patient"
            if meta.patient_dob:
                who += f"  ·  born {meta.patient_dob}"
            draw_text(self, MARGIN, FOOTER_HEIGHT - 5 * mm, who, 9)
            draw_text(self, width - MARGIN, FOOTER_HEIGHT - 5 * mm, f"{meta.title}  ·  page {number} of {total}", 9,
                      align="right")
            if meta.draft:
                self.saveState()
                self.setFillColorRGB(0.75, 0.1, 0.1, alpha=0.16)
                self.translate(width / 2, height / 2)
                self.rotate(35)
                draw_text(self, 0, 0, "DRAFT", 110, bold=True, align="centre")
                self.restoreState()
                self.setFillColorRGB(0.7, 0.1, 0.1)
                draw_text(self, width / 2, FOOTER_HEIGHT - 9.5 * mm,
                          "DRAFT: not a signed clinical record", 9, bold=True, align="centre")

    return SheetCanvas


def _header(meta: SheetMeta) -> Any:
    logo = None
    if meta.clinic.logo:
        try:
            logo = ImageReader(io.BytesIO(meta.clinic.logo))
        except Exception:  # an unreadable logo must not stop printing
            logo = None

    def draw(canvas: rl_canvas.Canvas, doc: BaseDocTemplate) -> None:
        width, height = doc.pagesize
        top = height - MARGIN + 4 * mm
        x = MARGIN
        if logo is not None:
            iw, ih = logo.getSize()
            h = 16 * mm
            w = min(40 * mm, iw * h / ih)
            canvas.drawImage(logo, x, top - h, width=w, height=h, preserveAspectRatio=True, mask="auto")
            x += w + 5 * mm
        canvas.setFillColor(ACCENT)
        draw_text(canvas, x, top - 6 * mm, meta.clinic.name or "Physical therapy clinic", 14, bold=True)
        canvas.setFillColor(MUTED)
        details = "  ·  ".join(p for p in (meta.clinic.address.replace("\n", ", "), meta.clinic.phone) if p)
        if details:
            draw_text(canvas, x, top - 11.5 * mm, details, 9.5)
        right = [meta.date]
        if meta.clinician:
            right.append(meta.clinician)
        for i, line in enumerate(right):
            draw_text(canvas, width - MARGIN, top - 6 * mm - i * 5 * mm, line, 10, align="right")
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.8)
        rule_y = height - MARGIN - HEADER_HEIGHT + 10 * mm
        canvas.line(MARGIN, rule_y, width - MARGIN, rule_y)

    return draw


def build_pdf(meta: SheetMeta, story: Sequence[Flowable]) -> bytes:
    """Lay out ``story`` on the sheet's pages and return the PDF bytes (deterministic)."""
    register_fonts()
    size = PAGE_SIZES[meta.paper]
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=size,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + HEADER_HEIGHT - 8 * mm,
        bottomMargin=FOOTER_HEIGHT + 4 * mm,
        title=f"{meta.title}: {meta.patient_name}",
        author=meta.clinic.name or "ptassist",
        creator="ptassist",
        invariant=1,
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body", leftPadding=0, rightPadding=0,
                  topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="sheet", frames=[frame], onPage=_header(meta))])
    doc.build(list(story), canvasmaker=_footer_canvas(meta))
    return buffer.getvalue()


def usable_width(paper: str) -> float:
    return float(PAGE_SIZES[paper][0] - 2 * MARGIN)
