"""Stored sheets are archival: every font embedded, PDF/A-2b metadata, the same bytes on any machine."""

from __future__ import annotations

import dataclasses
import io
import os
import subprocess
import sys
from pathlib import Path

from pypdf import PdfReader

from tests.documents.pdfa import pdfa_2b_problems
from tests.documents.scripts import NAMES
from tests.documents.test_scripts import patient, sheets

ROOT = Path(__file__).resolve().parents[2]


def test_every_font_is_embedded_and_none_is_a_bare_base_14_font():
    for pdf in sheets(patient(*NAMES["arabic"])):
        reader = PdfReader(io.BytesIO(pdf))
        for page in reader.pages:
            for ref in page["/Resources"]["/Font"].values():
                font = ref.get_object()
                assert "Helvetica" not in str(font["/BaseFont"])
                assert "/FontFile2" in font["/FontDescriptor"].get_object(), font["/BaseFont"]


def test_pdfa_2b_metadata_and_srgb_output_intent():
    pdf = sheets(patient("Müller", "Zoë"))[1]
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"].get_object()
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert "<pdfaid:part>2</pdfaid:part>" in xmp and "<pdfaid:conformance>B</pdfaid:conformance>" in xmp
    intent = root["/OutputIntents"][0].get_object()
    assert intent["/S"] == "/GTS_PDFA1"
    profile = intent["/DestOutputProfile"].get_object()
    assert profile["/N"] == 3 and profile.get_data() == (ROOT / "resources" / "color" / "sRGB.icc").read_bytes()
    assert (ROOT / "resources" / "color" / "LICENSE-sRGB.txt").is_file()  # the profile's licence ships with it
    info = reader.trailer["/Info"].get_object()
    created = str(info["/CreationDate"])  # D:20261201203400+00'00' - the visit's own time
    assert created.startswith("D:20261201203400")
    assert "<xmp:CreateDate>2026-12-01T20:34:00Z</xmp:CreateDate>" in xmp
    assert "Referral: " in xmp and str(info["/Title"]) in xmp


def _variants() -> list[tuple[str, bytes]]:
    """Sheets of every kind: three scripts, both papers, large print, a draft, a clinic logo."""
    from PIL import Image

    from ptassist.core.sheets import hep_content
    from ptassist.documents.hep import render_hep
    from tests.documents.test_scripts import ASSESSMENT, CLINIC

    found = []
    for script in ("latin", "arabic", "korean", "emoji"):
        for kind, pdf in zip(("hep", "referral", "summary"), sheets(patient(*NAMES[script])), strict=True):
            found.append((f"{kind} {script}", pdf))
    logo = io.BytesIO()
    Image.new("RGBA", (120, 60), (30, 70, 120, 200)).save(logo, "PNG")  # with transparency (an SMask)
    clinic = dataclasses.replace(CLINIC, logo=logo.getvalue())
    for paper in ("a4", "letter"):
        draft = hep_content(patient=patient("Müller", "Zoë"), visit=None, assessment=ASSESSMENT, clinic=clinic,
                            paper=paper, large_print=True)
        found.append((f"draft large-print {paper} with a logo", render_hep(draft)))
    return found


def test_every_sheet_passes_the_pdfa_2b_structural_check():
    for name, pdf in _variants():
        assert pdfa_2b_problems(pdf) == [], name


def test_the_structural_check_finds_what_a_plain_pdf_lacks():
    from reportlab.pdfgen.canvas import Canvas

    plain = io.BytesIO()
    canvas = Canvas(plain)
    canvas.setFillColorCMYK(0, 1, 1, 0)
    canvas.drawString(100, 100, "Hello")
    canvas.save()
    clauses = {problem.split(":")[0] for problem in pdfa_2b_problems(plain.getvalue())}
    assert clauses == {"6.2.3", "6.6.2", "6.2.11.4", "6.2.4.3"}
    ours = sheets(patient("Müller", "Zoë"))[0]
    changed = ours.replace(rb"/Producer (ptassist \(reportlab\))", rb"/Producer (ptassist \[reportlab\])")  # same length
    assert changed != ours
    assert [p.split(":")[0] for p in pdfa_2b_problems(changed)] == ["6.6.2.3.1"]  # Info and XMP disagree


RENDER = """
import hashlib, sys
sys.path.insert(0, {root!r})
from tests.documents.test_scripts import sheets, patient
print(",".join(hashlib.sha256(p).hexdigest() for p in sheets(patient("Müller", "Zoë"))))
"""


def test_a_re_render_gives_the_same_bytes_in_any_zone_locale_or_build_date():
    outputs = set()
    for zone, lang, epoch in (("UTC", "C", ""), ("Pacific/Auckland", "de_DE.UTF-8", "1700000000"),
                              ("America/Los_Angeles", "ar_EG.UTF-8", "")):
        env = {**os.environ, "TZ": zone, "LANG": lang, "LC_ALL": lang}
        env.pop("SOURCE_DATE_EPOCH", None)
        if epoch:
            env["SOURCE_DATE_EPOCH"] = epoch
        done = subprocess.run([sys.executable, "-c", RENDER.format(root=str(ROOT))], capture_output=True, text=True,
                              env=env, check=True, timeout=120)
        outputs.add(done.stdout.strip())
    assert len(outputs) == 1


ALONE = """
import hashlib, sys
sys.path.insert(0, {root!r})
from tests.documents.test_scripts import sheets, patient
print(hashlib.sha256(sheets(patient("शर्मा", "प्रिया"))[0]).hexdigest())
"""


def test_a_sheet_is_the_same_whatever_was_printed_before_it_in_the_process():
    import hashlib

    for family, given in (("क्षत्रिय", "द्विवेदी श्रद्धा"), NAMES["thai"], ("عبد الله", "نور"), NAMES["korean-rare"]):
        sheets(patient(family, given))  # shaping meets other glyphs (conjuncts without a character) first
    after_others = sheets(patient("शर्मा", "प्रिया"))[0]
    done = subprocess.run([sys.executable, "-c", ALONE.format(root=str(ROOT))], capture_output=True, text=True,
                          check=True, timeout=120)
    assert done.stdout.strip() == hashlib.sha256(after_others).hexdigest()  # as if printed first
