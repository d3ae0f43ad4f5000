"""Stored sheets are archival: every font embedded, PDF/A-2b metadata, the same bytes on any machine."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from pypdf import PdfReader

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
    assert profile["/N"] == 3 and profile.get_data()[36:40] == b"acsp"  # an ICC profile
    info = reader.trailer["/Info"].get_object()
    created = str(info["/CreationDate"])  # D:20261201203400+00'00' - the visit's own time
    assert created.startswith("D:20261201203400")
    assert "<xmp:CreateDate>2026-12-01T20:34:00Z</xmp:CreateDate>" in xmp
    assert "Referral: " in xmp and str(info["/Title"]) in xmp


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
