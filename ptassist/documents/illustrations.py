"""Exercise illustrations as flowables: the bundled SVG drawings, or a clinic's own image.

A clinic replaces a drawing by putting ``<exercise id>.svg``, ``.png`` or ``.jpg`` in its
``exercises`` folder (``DATA_DIR/exercises``); that file wins over the bundled one.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import as_file
from pathlib import Path
from typing import Any

from reportlab.graphics.shapes import Drawing, Group, Rect
from reportlab.platypus import Flowable, Image, Spacer

from ptassist.core.exercises import Exercise
from ptassist.core.resources import resource_path
from ptassist.documents.simple_svg import read_simple_svg
from ptassist.documents.text import BODY

RASTER_SUFFIXES = (".png", ".jpg", ".jpeg")


TOP_ROOM = 0.025  # kept above a drawing's highest shape, as a share of the drawing's width


@lru_cache(maxsize=256)
def _svg(path: str, _mtime: float) -> Drawing | None:
    drawing = read_simple_svg(path)  # the bundled drawings, without importing svglib
    if drawing is None:
        from svglib.svglib import svg2rlg  # any other SVG (a clinic's own)

        drawing = svg2rlg(path)
    if drawing is not None:
        _body_font(drawing)
        for node in drawing.contents:
            _drop_paper(node, drawing.width, drawing.height)
    return drawing


def _drop_paper(node: Any, width: float, height: float) -> None:
    """Remove white rectangles the size of the whole drawing (its paper): on a white page they
    show nothing, and they would cover the text above once the empty top is cut off."""
    kept = []
    for child in getattr(node, "contents", []):
        fill = getattr(child, "fillColor", None)
        if (isinstance(child, Rect) and fill is not None and (fill.red, fill.green, fill.blue) == (1, 1, 1)
                and child.width >= width * 0.9 and child.height >= height * 0.9):
            continue
        _drop_paper(child, width, height)
        kept.append(child)
    if isinstance(node, Group):
        node.contents = kept


def _content_height(drawing: Drawing) -> float:
    """The drawing's height up to its highest shape (a lying figure leaves the top half empty)."""
    try:
        bottom_top = Group(*drawing.contents).getBounds()
    except (ValueError, TypeError):  # nothing drawn, or a shape without bounds
        return float(drawing.height)
    return float(min(drawing.height, max(bottom_top[3], 0) + TOP_ROOM * drawing.width))


def _body_font(node: Any) -> None:
    """svglib gives every group Helvetica; set the bundled face instead, so that nothing in the
    PDF names a font that is not embedded."""
    if getattr(node, "fontName", None) is not None:
        node.fontName = BODY
    for child in getattr(node, "contents", []):
        _body_font(child)


def _override(exercise: Exercise, folder: Path | None) -> Path | None:
    if folder is None or not folder.is_dir():
        return None
    for suffix in (".svg", *RASTER_SUFFIXES):
        candidate = folder / f"{exercise.id}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def illustration(exercise: Exercise, width: float, override_dir: Path | None = None) -> Flowable:
    """The drawing for ``exercise`` scaled to ``width`` points."""
    custom = _override(exercise, override_dir)
    if custom is not None and custom.suffix.lower() in RASTER_SUFFIXES:
        image = Image(str(custom))
        ratio = image.imageHeight / image.imageWidth if image.imageWidth else 0.6
        image.drawWidth, image.drawHeight = width, width * ratio
        return image
    if custom is not None:
        base = _svg(str(custom), custom.stat().st_mtime)
    else:
        with as_file(resource_path("exercises", exercise.illustration)) as path:
            base = _svg(str(path), Path(path).stat().st_mtime)
    if base is None or not base.width:
        return Spacer(width, width * 0.6)
    scale = width / base.width
    group = Group(*base.contents)
    group.scale(scale, scale)
    return Drawing(width, _content_height(base) * scale, group)
