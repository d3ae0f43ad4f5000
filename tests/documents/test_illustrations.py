"""The bundled drawings read with the standard library match what svglib makes of them, and any
other SVG still goes through svglib."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from reportlab.graphics.shapes import Group
from svglib.svglib import svg2rlg

from ptassist.core.resources import resource_path
from ptassist.documents.simple_svg import read_simple_svg

ROOT = Path(__file__).resolve().parents[2]
DRAWINGS = sorted(p.name for p in resource_path("exercises").iterdir() if p.suffix == ".svg")
PX = 0.75  # svglib reads the drawings' px as 0.75 pt


def _flat(node, transform=(1, 0, 0, 1, 0, 0)):
    """Every shape with the transform that places it."""
    for child in node.contents:
        if isinstance(child, Group):
            yield from _flat(child, _multiply(transform, child.transform))
        else:
            yield child, transform


def _multiply(a, b):
    return (a[0] * b[0] + a[2] * b[1], a[1] * b[0] + a[3] * b[1], a[0] * b[2] + a[2] * b[3],
            a[1] * b[2] + a[3] * b[3], a[0] * b[4] + a[2] * b[5] + a[4], a[1] * b[4] + a[3] * b[5] + a[5])


def _summary(drawing, scale):
    shapes = []
    for shape, (a, b, c, d, e, f) in _flat(drawing):
        x0, y0, x1, y1 = shape.getBounds()
        corners = [(a * x + c * y + e, b * x + d * y + f) for x, y in ((x0, y0), (x1, y1))]
        box = tuple(round(v / scale, 1) for v in (min(p[0] for p in corners), min(p[1] for p in corners),
                                                   max(p[0] for p in corners), max(p[1] for p in corners)))
        fill = getattr(shape, "fillColor", None)
        shapes.append((type(shape).__name__, box, str(shape.strokeColor), str(fill), shape.strokeWidth,
                       tuple(shape.strokeDashArray or ()), shape.strokeLineCap))
    return shapes


@pytest.mark.parametrize("name", DRAWINGS)
def test_a_bundled_drawing_reads_as_svglib_reads_it(name):
    path = str(resource_path("exercises", name))
    ours = read_simple_svg(path)
    assert ours is not None, "the bundled drawings use only line, circle, ellipse, rect and polygon"
    theirs = svg2rlg(path)
    assert (ours.width * PX, ours.height * PX) == (theirs.width, theirs.height)
    assert _summary(ours, 1.0) == _summary(theirs, PX)


def test_any_other_svg_is_left_to_svglib(tmp_path):
    path = tmp_path / "own.svg"
    path.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50">'
                    '<path d="M 0 0 L 100 50" stroke="black"/></svg>', encoding="utf-8")
    assert read_simple_svg(str(path)) is None
    from ptassist.documents.illustrations import _svg

    assert _svg(str(path), path.stat().st_mtime) is not None  # svglib read it


def test_printing_a_sheet_imports_neither_svglib_nor_the_web_modules():
    code = ("import sys\n"  # (not through the test modules: pytest itself imports the e-mail package)
            "from ptassist.core.engine import default_engine\n"
            "from ptassist.core.records import ClinicSettings\n"
            "from ptassist.core.sheets import hep_content\n"
            "from ptassist.documents.hep import render_hep\n"
            "intake = {'format': 'ptassist-intake/1', 'side': 'left',\n"
            "          'symptoms': [{'region': 'lateral_knee', 'kind': 'pain'}],\n"
            "          'findings': {'noble_test': True}}\n"
            "assessment = default_engine().assess_json(intake).to_json()\n"
            "content = hep_content(patient=None, visit=None, assessment=assessment, clinic=ClinicSettings(name='C'),\n"
            "                      paper='a4')\n"
            "assert content.items and render_hep(content)\n"
            "print(*(name in sys.modules for name in ('svglib', 'lxml', 'urllib.request', 'email.message')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120,
                          cwd=ROOT)
    assert done.stdout.split() == ["False"] * 4
