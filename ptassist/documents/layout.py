"""The page every sheet shares: clinic header, patient name and "page x of y", a DRAFT mark.

PDFs are built in reportlab's invariant mode with every date taken from the visit (never from the
clock, the machine's zone or ``SOURCE_DATE_EPOCH``), so the same input gives the same bytes on any
computer. Every font is embedded (the canvas starts in the bundled body face, not Helvetica), and
the file carries what PDF/A-2b asks for: XMP metadata that matches the document information and an
sRGB output intent.
"""

from __future__ import annotations

import calendar
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from html import escape  # (xml.sax.saxutils would import urllib.request, http and e-mail)
from typing import Any

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFStream, PDFString
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from ptassist.core.resources import resource_path
from ptassist.core.sheets import SheetMeta
from ptassist.documents.styles import ACCENT, INK, MUTED, RULE
from ptassist.documents.text import BODY, NBSP, draw_text, fit, isolate, plain_width, register_fonts, wrap_lines

PAGE_SIZES = {"a4": A4, "letter": LETTER}
MARGIN = 12 * mm
FIRST_HEADER_HEIGHT = 15 * mm  # from the top margin to the body: the clinic's name, address and phone
LATER_HEADER_HEIGHT = 10 * mm  # the name and phone on one line
FOOTER_HEIGHT = 14 * mm
FOOTER_SIZE = 10.0
CREATOR = "ptassist"
PRODUCER = "ptassist (reportlab)"
BOTTOM_MARGIN = FOOTER_HEIGHT + 5 * mm  # room for the DRAFT line above the footer rule
BAND_BASELINE = FOOTER_HEIGHT + 1.2 * mm  # that line's baseline (centred; a "continued" note may sit at its right)


@cache
def _srgb_profile() -> bytes:
    """The sRGB ICC profile (v2.3, from Debian's icc-profiles-free, zlib licence: resources/color/LICENSE-sRGB.txt)."""
    return resource_path("color", "sRGB.icc").read_bytes()


def _sheet_time(meta: SheetMeta) -> datetime:
    try:
        moment = datetime.fromisoformat(meta.stamp)
    except ValueError:
        return datetime(2000, 1, 1, tzinfo=UTC)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def _xmp(meta: SheetMeta, title: str, author: str, when: datetime) -> bytes:
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    title, author, subject = (escape(text, quote=False) for text in (title, author, meta.title))
    body = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/"
 xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
<pdfaid:part>2</pdfaid:part>
<pdfaid:conformance>B</pdfaid:conformance>
<dc:format>application/pdf</dc:format>
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
<dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>
<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{subject}</rdf:li></rdf:Alt></dc:description>
<xmp:CreateDate>{stamp}</xmp:CreateDate>
<xmp:ModifyDate>{stamp}</xmp:ModifyDate>
<xmp:MetadataDate>{stamp}</xmp:MetadataDate>
<xmp:CreatorTool>{CREATOR}</xmp:CreatorTool>
<pdf:Producer>{PRODUCER}</pdf:Producer>
<pdf:Keywords></pdf:Keywords>
<pdf:Trapped>False</pdf:Trapped>
</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
    return body.encode("utf-8")


def _archival(canvas: Any, meta: SheetMeta, title: str, author: str) -> None:
    """Fix the document's dates to the sheet's own time and add the PDF/A-2b catalogue entries."""
    doc = canvas._doc
    when = _sheet_time(meta)
    stamp = doc._timeStamp
    stamp.t = calendar.timegm(when.timetuple())
    stamp.lt = when.timetuple()
    stamp.YMDhms = tuple(stamp.lt)[:6]
    stamp.dhh = stamp.dmm = 0
    doc.signature = hashlib.md5(ascii(stamp.t).encode(), usedforsecurity=False)  # the file ID: not the build date
    metadata: Any = PDFStream(PDFDictionary({"Type": PDFName("Metadata"), "Subtype": PDFName("XML")}),
                         _xmp(meta, title, author, when))
    metadata.__NoDefaultFilters__ = True  # PDF/A readers expect the XMP packet readable as it is
    profile = PDFStream(PDFDictionary({"N": 3}), _srgb_profile())
    intent = PDFDictionary({
        "Type": PDFName("OutputIntent"), "S": PDFName("GTS_PDFA1"),
        "OutputConditionIdentifier": PDFString("sRGB IEC61966-2.1"), "Info": PDFString("sRGB IEC61966-2.1"),
        "DestOutputProfile": doc.Reference(profile),
    })
    doc.Catalog.Metadata = doc.Reference(metadata)
    doc.Catalog.OutputIntents = PDFArray([intent])
    doc.Catalog.__NoDefault__ = [*doc.Catalog.__NoDefault__, "OutputIntents"]  # written only when listed


def _footer_canvas(meta: SheetMeta, title: str, author: str) -> type[rl_canvas.Canvas]:
    """A canvas class that writes 'page x of y', the patient's name and the DRAFT mark at save time."""

    class SheetCanvas(rl_canvas.Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["initialFontName"] = kwargs.get("initialFontName") or BODY
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []
            self._sheet_size: tuple[float, float] = kwargs["pagesize"]
            _archival(self, meta, title, author)

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
            right = f"{meta.title}  ·  page {number} of {total}"
            check = f"Verification code: {meta.verification}" if meta.verification else ""
            right_width = max(plain_width(right, FOOTER_SIZE), plain_width(check, FOOTER_SIZE))
            who = isolate(meta.patient_name) or "No patient"
            if meta.patient_dob:
                who += "  ·  " + f"born {meta.patient_dob}".replace(" ", NBSP)  # the date stays on one line
            room = width - 2 * MARGIN - right_width - 6 * mm
            for line, text in enumerate(wrap_lines(who, FOOTER_SIZE, room)):  # a long name takes two lines
                draw_text(self, MARGIN, FOOTER_HEIGHT - 5 * mm - line * 4.2 * mm, text, FOOTER_SIZE)
            draw_text(self, width - MARGIN, FOOTER_HEIGHT - 5 * mm, right, FOOTER_SIZE, align="right")
            if check:  # under "page x of y" (a long name's second line stays left of it)
                draw_text(self, width - MARGIN, FOOTER_HEIGHT - 5 * mm - 4.2 * mm, check, FOOTER_SIZE, align="right")
            if meta.draft:
                self.saveState()
                self.setFillColorRGB(0.75, 0.1, 0.1, alpha=0.16)
                self.translate(width / 2, height / 2)
                self.rotate(35)
                draw_text(self, 0, 0, "DRAFT", 110, bold=True, align="centre")
                self.restoreState()
                self.setFillColorRGB(0.7, 0.1, 0.1)
                draw_text(self, width / 2, BAND_BASELINE,
                          "DRAFT: not a signed clinical record", FOOTER_SIZE, bold=True, align="centre")

    return SheetCanvas


def _header(meta: SheetMeta, first: bool, compact: bool = False) -> Any:
    """The clinic's name, address and phone with the date and clinician (first page); later pages
    repeat the name, phone and date on one line. A ``compact`` first page (the urgent patient
    sheet, whose page 1 needs every line) sets the name, address and phone on one line too."""
    logo = None
    if meta.clinic.logo and first:
        try:
            logo = ImageReader(io.BytesIO(meta.clinic.logo))
        except Exception:  # an unreadable logo must not stop printing
            logo = None
    tall = first and not compact

    def draw(canvas: rl_canvas.Canvas, doc: BaseDocTemplate) -> None:
        width, height = doc.pagesize
        top = height - MARGIN + 4 * mm
        x = MARGIN
        if logo is not None:
            iw, ih = logo.getSize()
            h = 15 * mm if tall else 9 * mm
            w = min(40 * mm if tall else 24 * mm, iw * h / ih)
            canvas.drawImage(logo, x, top - h, width=w, height=h, preserveAspectRatio=True, mask="auto")
            x += w + 5 * mm
        right = [meta.date + (f", {meta.time}" if meta.time else "")]
        if meta.clinician and tall:
            right.append(isolate(meta.clinician))
        right_width = max(plain_width(line, 11) for line in right)
        room = width - MARGIN - x - right_width - 6 * mm
        name = meta.clinic.name or "Physical therapy clinic"
        phone = f"Phone {meta.clinic.phone}" if meta.clinic.phone else ""
        canvas.setFillColor(ACCENT)
        if tall:
            draw_text(canvas, x, top - 6 * mm, fit(name, 14, room, bold=True), 14, bold=True)
            canvas.setFillColor(INK)
            details = "  ·  ".join(p for p in (meta.clinic.address.replace("\n", ", "), phone) if p)
            if details:
                draw_text(canvas, x, top - 11.5 * mm, fit(details, 11, room), 11)
        else:  # the phone stays on every page
            phone_width = plain_width(phone, 11) + 4 * mm if phone else 0
            name_width = min(plain_width(name, 12, bold=True), room - phone_width)
            draw_text(canvas, x, top - 6 * mm, fit(name, 12, name_width, bold=True), 12, bold=True)
            canvas.setFillColor(INK)
            after = x + name_width + 4 * mm
            address = meta.clinic.address.replace("\n", ", ") if first else ""
            if address:  # between the name and the phone, shortened (never the phone) to the room left
                address = fit(address, 11, room - name_width - phone_width - 4 * mm)
                draw_text(canvas, after, top - 6 * mm, address, 11)
                after += plain_width(address, 11) + 4 * mm
            if phone:
                draw_text(canvas, after, top - 6 * mm, phone, 11)
        for i, line in enumerate(right):
            draw_text(canvas, width - MARGIN, top - 6 * mm - i * 5.5 * mm, fit(line, 11, width / 3), 11,
                      align="right")
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.8)
        rule_y = height - _top_margin(tall) + 2 * mm
        canvas.line(MARGIN, rule_y, width - MARGIN, rule_y)

    return draw


def _top_margin(first: bool) -> float:
    return float(MARGIN + (FIRST_HEADER_HEIGHT if first else LATER_HEADER_HEIGHT))


@dataclass(frozen=True)
class LaidOut:
    """A built sheet and, per page, the share of the body frame its content fills (0 to 1)."""

    pdf: bytes
    fill: tuple[float, ...]


def lay_out(meta: SheetMeta, story: Sequence[Flowable], compact_header: bool = False) -> LaidOut:
    """Lay out ``story`` on the sheet's pages: the PDF bytes (deterministic) and how full each page
    is. ``compact_header`` sets page 1's header on one line, as on later pages, with the address."""
    register_fonts()
    size = PAGE_SIZES[meta.paper]
    buffer = io.BytesIO()
    title = f"{meta.title}: {meta.patient_name}" if meta.patient_name else meta.title
    author = meta.clinic.name or "ptassist"
    doc = BaseDocTemplate(
        buffer,
        pagesize=size,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=_top_margin(first=False),
        bottomMargin=BOTTOM_MARGIN,
        title=title,
        author=author,
        subject=meta.title,  # the document information and the XMP packet say the same (PDF/A)
        creator=CREATOR,
        producer=PRODUCER,
        invariant=1,
        initialFontName=BODY,
    )
    pad = {"leftPadding": 0, "rightPadding": 0, "topPadding": 0, "bottomPadding": 0}
    first_height = size[1] - _top_margin(first=not compact_header) - doc.bottomMargin
    first_frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, first_height, id="first", **pad)
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body", **pad)
    fill: list[float] = []

    def page_end(canvas: rl_canvas.Canvas, built: BaseDocTemplate) -> None:
        used: Any = built.frame  # the page's frame, where layout stopped (private fields, absent from the stubs)
        fill.append(min(1.0, max(0.0, (used._y2 - used._y) / used._height)))

    doc.addPageTemplates([
        PageTemplate(id="first", frames=[first_frame], onPage=_header(meta, True, compact_header), onPageEnd=page_end,
                     autoNextPageTemplate="later"),
        PageTemplate(id="later", frames=[frame], onPage=_header(meta, first=False), onPageEnd=page_end),
    ])
    doc.build(list(story), canvasmaker=_footer_canvas(meta, title, author))
    return LaidOut(buffer.getvalue(), tuple(fill))


def build_pdf(meta: SheetMeta, story: Sequence[Flowable]) -> bytes:
    """Lay out ``story`` on the sheet's pages and return the PDF bytes (deterministic)."""
    return lay_out(meta, story).pdf


def usable_width(paper: str) -> float:
    return float(PAGE_SIZES[paper][0] - 2 * MARGIN)


def usable_height(paper: str, first: bool = False, compact_header: bool = False) -> float:
    """The height of the body frame on the first page (under a tall or a ``compact_header``) or a later one."""
    return float(PAGE_SIZES[paper][1] - _top_margin(first and not compact_header) - BOTTOM_MARGIN)
