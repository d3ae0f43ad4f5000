"""A structural check of the PDF/A-2b clauses that can be checked without veraPDF (which is Java and
not installable here). Each problem is returned as one line naming the clause; an empty list means
every clause checked here holds. It reads the file with pypdf and the embedded fonts with fontTools.

Checked (ISO 19005-2): 6.1.2 header and binary comment; 6.1.3 trailer ID, no Encrypt; 6.1.7 no LZW
or external streams; 6.2.2/6.2.3 an OutputIntent GTS_PDFA1 with an ICC profile (monitor or printer
class, RGB/CMYK/Gray matching N, version 2 or 4); 6.2.4.3 no DeviceCMYK without a CMYK intent;
6.2.8 no image Interpolate; 6.2.10 standard blend modes only; 6.2.11.4 every font embedded (and its
glyph widths equal the /Widths array); 6.2.11.6 a symbolic TrueType font has no Encoding and one cmap or a (3,0) one;
6.6.2 an unfiltered XMP packet with pdfaid:part 2 and conformance B whose title, author, subject,
creator, producer, keywords, trapped and dates equal the document information; 6.6.2.3 no
JavaScript, embedded files or additional actions in the catalogue.
Not checked: the XMP against the full XMP schemas, content-stream syntax limits, colour spaces inside
patterns and shadings, and everything else veraPDF's 100+ rules cover.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta, timezone
from xml.etree import ElementTree

from pypdf import PdfReader
from pypdf.generic import ContentStream

NS = {"x": "adobe:ns:meta/", "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
      "pdfaid": "http://www.aiim.org/pdfa/ns/id/", "dc": "http://purl.org/dc/elements/1.1/",
      "xmp": "http://ns.adobe.com/xap/1.0/", "pdf": "http://ns.adobe.com/pdf/1.3/"}
STANDARD_BLEND = {"/Normal", "/Compatible", "/Multiply", "/Screen", "/Overlay", "/Darken", "/Lighten",
                  "/ColorDodge", "/ColorBurn", "/HardLight", "/SoftLight", "/Difference", "/Exclusion",
                  "/Hue", "/Saturation", "/Color", "/Luminosity"}
ICC_SPACES = {b"RGB ": 3, b"CMYK": 4, b"GRAY": 1}


def pdfa_2b_problems(pdf: bytes) -> list[str]:
    """Every PDF/A-2b problem this checker finds in ``pdf`` (an empty list when none)."""
    problems: list[str] = []
    if not re.match(rb"%PDF-1\.[0-7]\r?\n%[\x80-\xff]{4}", pdf):
        problems.append("6.1.2: header not followed by a comment of four bytes above 127")
    reader = PdfReader(io.BytesIO(pdf))
    trailer = reader.trailer
    if "/Encrypt" in trailer:
        problems.append("6.1.3: the file is encrypted")
    ids = trailer.get("/ID")
    if not ids or len(ids) != 2:
        problems.append("6.1.3: no file identifier (ID) in the trailer")
    root = trailer["/Root"].get_object()
    for key in ("/AA", "/Names"):
        if key in root and (key == "/AA" or {"/JavaScript", "/EmbeddedFiles"} & set(root[key].get_object())):
            problems.append(f"6.6: the catalogue has {key} with actions, scripts or embedded files")
    problems += _output_intent(root)
    problems += _metadata(root, trailer.get("/Info"))
    cmyk_intent = _intent_space(root) == b"CMYK"
    seen: set[int] = set()
    for number, page in enumerate(reader.pages, start=1):
        resources = page.get("/Resources", {})
        problems += _page_resources(resources, number, seen)
        if not cmyk_intent:
            for _, operator in ContentStream(page.get_contents(), reader).operations:
                if operator in (b"k", b"K"):
                    problems.append(f"6.2.4.3: page {number} paints in DeviceCMYK without a CMYK output intent")
                    break
    for obj in _all_streams(reader):
        filters = obj.get("/Filter")
        names = filters if isinstance(filters, list) else [filters] if filters else []
        if "/LZWDecode" in names or "/F" in obj:
            problems.append("6.1.7: an LZW-compressed or external stream")
    return problems


def _intent_space(root) -> bytes | None:
    intents = root.get("/OutputIntents")
    if not intents:
        return None
    profile = intents[0].get_object().get("/DestOutputProfile")
    return profile.get_object().get_data()[16:20] if profile else None


def _output_intent(root) -> list[str]:
    intents = root.get("/OutputIntents")
    if not intents:
        return ["6.2.3: no output intent"]
    pdfa = [i.get_object() for i in intents if i.get_object().get("/S") == "/GTS_PDFA1"]
    if len(pdfa) != 1:
        return ["6.2.3: not exactly one GTS_PDFA1 output intent"]
    profile_ref = pdfa[0].get("/DestOutputProfile")
    if profile_ref is None:
        return ["6.2.3: the output intent has no ICC profile"]
    profile = profile_ref.get_object()
    data = profile.get_data()
    problems = []
    if data[36:40] != b"acsp" or int.from_bytes(data[:4], "big") != len(data):
        problems.append("6.2.3: the output profile is not a whole ICC profile")
    if data[12:16] not in (b"mntr", b"prtr"):
        problems.append(f"6.2.3: the output profile's class is {data[12:16]!r}, not a monitor or printer")
    if ICC_SPACES.get(data[16:20]) != profile.get("/N"):
        problems.append("6.2.3: the output profile's colour space does not match its /N")
    if data[8] not in (2, 4):
        problems.append(f"6.2.3: ICC version {data[8]} (PDF/A-2 takes 2 or 4)")
    return problems


def _metadata(root, info_ref) -> list[str]:
    ref = root.get("/Metadata")
    if ref is None:
        return ["6.6.2: no XMP metadata in the catalogue"]
    stream = ref.get_object()
    if "/Filter" in stream:
        return ["6.6.2: the XMP metadata stream is filtered"]
    raw = stream.get_data()
    if not raw.startswith(b"<?xpacket begin=") or b"<?xpacket end=" not in raw:
        return ["6.6.2: the XMP packet has no xpacket header or trailer"]
    try:
        xml = ElementTree.fromstring(raw.decode("utf-8"))
    except (UnicodeDecodeError, ElementTree.ParseError) as exc:
        return [f"6.6.2: the XMP packet is not well-formed XML ({exc})"]
    values = _xmp_values(xml)
    problems = []
    if values.get("pdfaid:part") != "2" or values.get("pdfaid:conformance") != "B":
        problems.append("6.6.4: XMP does not say pdfaid:part 2, conformance B")
    info = info_ref.get_object() if info_ref is not None else {}
    pairs = {"/Title": "dc:title", "/Author": "dc:creator", "/Subject": "dc:description", "/Keywords": "pdf:Keywords",
             "/Creator": "xmp:CreatorTool", "/Producer": "pdf:Producer", "/Trapped": "pdf:Trapped"}
    for key, prop in pairs.items():
        if key in info:
            value = str(info[key]).lstrip("/")
            if values.get(prop) != value:
                problems.append(f"6.6.2.3.1: {key} {value!r} differs from XMP {prop} {values.get(prop)!r}")
    for key, prop in (("/CreationDate", "xmp:CreateDate"), ("/ModDate", "xmp:ModifyDate")):
        if key in info and _pdf_date(str(info[key])) != _xmp_date(values.get(prop, "")):
            problems.append(f"6.6.2.3.1: {key} differs from XMP {prop}")
    return problems


def _xmp_values(xml: ElementTree.Element) -> dict[str, str]:
    """Each simple XMP property (element or attribute form) as prefix:name -> text; for rdf:Alt,
    rdf:Seq and rdf:Bag the first item (the x-default title, the first author)."""
    prefix = {uri: p for p, uri in NS.items()}
    values: dict[str, str] = {}
    for description in xml.iter(f"{{{NS['rdf']}}}Description"):
        for attr, text in description.attrib.items():
            uri, _, name = attr[1:].partition("}")
            if uri in prefix:
                values[f"{prefix[uri]}:{name}"] = text
        for child in description:
            uri, _, name = child.tag[1:].partition("}")
            items = [li.text or "" for li in child.iter(f"{{{NS['rdf']}}}li")]
            values[f"{prefix.get(uri, uri)}:{name}"] = items[0] if items else (child.text or "")
    return values


def _pdf_date(text: str) -> datetime | None:
    match = re.match(r"D:(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:([Z+-])(?:(\d{2})'(\d{2})'?)?)?", text)
    if not match:
        return None
    parts = [int(x) for x in match.groups()[:6]]
    sign, hours, minutes = match.group(7), int(match.group(8) or 0), int(match.group(9) or 0)
    offset = timedelta(hours=hours, minutes=minutes) * (-1 if sign == "-" else 1)
    return datetime(*parts, tzinfo=timezone(offset)).astimezone(UTC)  # type: ignore[misc]


def _xmp_date(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return None


def _page_resources(resources, number: int, seen: set[int]) -> list[str]:
    problems = []
    for state in resources.get("/ExtGState", {}).values():
        blend = state.get_object().get("/BM")
        for mode in blend if isinstance(blend, list) else [blend] if blend else []:
            if mode not in STANDARD_BLEND:
                problems.append(f"6.2.10: page {number} uses blend mode {mode}")
    for image in resources.get("/XObject", {}).values():
        if image.get_object().get("/Interpolate"):
            problems.append(f"6.2.8: page {number} has an image with Interpolate true")
    for ref in resources.get("/Font", {}).values():
        if ref.idnum in seen:
            continue
        seen.add(ref.idnum)
        problems += _font(ref.get_object())
    return problems


def _font(font) -> list[str]:
    from fontTools.ttLib import TTFont

    name = str(font.get("/BaseFont"))
    described = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
    descriptor = described.get("/FontDescriptor")
    if descriptor is None:
        return [f"6.2.11.4: font {name} has no descriptor (a standard font, not embedded)"]
    descriptor = descriptor.get_object()
    program = next((descriptor[k] for k in ("/FontFile2", "/FontFile", "/FontFile3") if k in descriptor), None)
    if program is None:
        return [f"6.2.11.4: font {name} is not embedded"]
    if "/FontFile2" not in descriptor or "/Widths" not in font:
        return []  # the width and cmap checks below are for simple TrueType fonts
    tt = TTFont(io.BytesIO(program.get_object().get_data()))
    problems = []
    tables = {(t.platformID, t.platEncID): t.cmap for t in tt["cmap"].tables}
    symbolic = int(descriptor.get("/Flags", 0)) & 4
    if symbolic and ((len(tables) != 1 and (3, 0) not in tables) or "/Encoding" in font):
        problems.append(f"6.2.11.6: symbolic TrueType font {name} needs one cmap or a (3,0) one, and no Encoding")
    cmap = tables.get((3, 0)) or tables.get((1, 0)) or {}
    scale = 1000 / tt["head"].unitsPerEm
    first = int(font.get("/FirstChar", 0))
    for offset, width in enumerate(font["/Widths"]):
        code = first + offset
        glyph = cmap.get(code) or cmap.get(0xF000 + code)
        if glyph is not None and abs(tt["hmtx"][glyph][0] * scale - float(width)) > 1:
            problems.append(f"6.2.11.5: font {name} code {code}: width {width} differs from the font's "
                            f"{tt['hmtx'][glyph][0] * scale:.0f}")
            break
    return problems


def _all_streams(reader: PdfReader):
    for number in range(1, int(reader.trailer.get("/Size", 0))):
        try:
            obj = reader.get_object(number)
        except Exception:  # a free or missing entry
            continue
        if hasattr(obj, "get_data"):
            yield obj
