"""Loading the sheets quickly (`ptassist print` is a fresh process per sheet) without changing them:
Pillow loads only for a clinic logo, and two patterns no sheet uses compile only when used."""

from __future__ import annotations

import re
import struct
import subprocess
import sys
import zlib

from ptassist.core.records import ClinicSettings
from ptassist.core.sheets import hep_content
from ptassist.documents import DEFERRED_PATTERNS, DeferredPattern
from ptassist.documents.hep import render_hep
from tests.documents.test_hep import ITBS, patient


def _png(width: int = 4, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x24\x46\x5e" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def test_a_sheet_without_a_logo_loads_neither_pillow_nor_the_deferred_patterns():
    script = (  # (nothing from the tests: pypdf, which they use, loads Pillow itself)
        "import sys\n"
        "from ptassist.core.records import ClinicSettings\n"
        "from ptassist.core.sheets import hep_content\n"
        "from ptassist.documents.hep import render_hep\n"
        "from reportlab.platypus import paragraph\n"
        "from reportlab.lib import textsplit\n"
        "assessment = {'urgency': 'none', 'working_diagnosis': ['itbs']}\n"
        "pdf = render_hep(hep_content(patient=None, visit=None, assessment=assessment, clinic=ClinicSettings(),"
        " paper='a4'))\n"
        "print(pdf.startswith(b'%PDF'), 'PIL._imaging' in sys.modules, paragraph.uri_pat._compiled is None,"
        " textsplit.rx._compiled is None)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "False", "True", "True"]


def test_a_logo_still_prints():
    clinic = ClinicSettings(name="Riverside Physiotherapy", phone="0117 555 0100", logo=_png())
    pdf = render_hep(hep_content(patient=patient(), visit=None, assessment=ITBS, clinic=clinic, paper="a4"))
    assert b"/Subtype /Image" in pdf


def test_a_deferred_pattern_matches_as_the_compiled_one_would():
    from reportlab.platypus import paragraph

    assert isinstance(paragraph.uri_pat, DeferredPattern)
    start, flags = DEFERRED_PATTERNS[0]
    compiled = re.compile(paragraph.uri_pat._source[0], flags)
    assert paragraph.uri_pat._source[0].startswith(start)
    for text in ("https://example.org/a/b?c=d", "www.example.org", "not a url", "ftp://10.0.0.1:21/x"):
        ours, theirs = paragraph.uri_pat.match(text), compiled.match(text)
        assert (ours and ours.groups()) == (theirs and theirs.groups())
    assert paragraph.uri_pat.pattern == compiled.pattern


def test_plain_ascii_takes_the_one_run_the_character_rules_give():
    import random
    import string

    from ptassist.documents import text

    def by_character(line: str) -> list[tuple[str, str]]:
        result: list[tuple[str, str]] = []
        current = None
        for char in line:
            key = text.face_for(char, current)
            if result and result[-1][0] == key:
                result[-1] = (key, result[-1][1] + char)
            else:
                result.append((key, char))
            current = key
        return result

    rng = random.Random(7)
    samples = ["", "How much: 3 sets of 10", "a\nb\tc", " (x) [y] {z} <b>&amp;"]
    samples += ["".join(rng.choice(string.ascii_letters + string.digits + string.punctuation + " \n\t")
                        for _ in range(rng.randint(1, 60))) for _ in range(300)]
    for line in samples:
        assert text.runs(line) == by_character(line) and text.pieces(line) == by_character(line), repr(line)
    assert text.pieces("Zoë") == by_character("Zoë")  # not plain: the rules as before
