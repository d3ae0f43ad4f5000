"""The bundled exercise drawings read with the standard library (no svglib, lxml or CSS parser to
import when a sheet is printed).

The drawings are made by ``resources/exercises/draw_exercises.py`` from five elements — line,
circle, ellipse, rect and polygon — with plain presentation attributes. A file using anything else
(paths, groups, transforms, styles, text, units) is not read here: :func:`read_simple_svg` returns
None and the caller falls back to svglib, which reads any SVG.
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree import ElementTree

from reportlab.graphics.shapes import Circle, Drawing, Ellipse, Group, Line, Polygon, Rect, Shape
from reportlab.lib.colors import Color, toColor

SVG = "{http://www.w3.org/2000/svg}"
PAINT = {"fill", "stroke", "stroke-width", "stroke-dasharray", "stroke-linecap", "opacity"}
GEOMETRY = {"line": {"x1", "y1", "x2", "y2"}, "circle": {"cx", "cy", "r"}, "ellipse": {"cx", "cy", "rx", "ry"},
            "rect": {"x", "y", "width", "height", "rx", "ry"}, "polygon": {"points"}}
CAPS = {"butt": 0, "round": 1, "square": 2}
NUMBER = re.compile(r"-?\d+(\.\d+)?")


class NotSimpleError(ValueError):
    """The file uses SVG beyond what this reader takes."""


def read_simple_svg(path: str) -> Drawing | None:
    """The drawing in ``path`` with the SVG's own units as points, or None when it is not one of
    the simple drawings (the caller then uses svglib)."""
    try:
        root = ElementTree.parse(path).getroot()
        return _drawing(root)
    except (NotSimpleError, ElementTree.ParseError, ValueError, KeyError):
        return None


def _drawing(root: ElementTree.Element) -> Drawing:
    if root.tag != f"{SVG}svg" or set(root.attrib) - {"width", "height", "viewBox"}:
        raise NotSimpleError("not a plain svg element")
    width, height = _number(root.get("width")), _number(root.get("height"))
    view = root.get("viewBox")
    if view is not None and [float(v) for v in view.split()] != [0.0, 0.0, width, height]:
        raise NotSimpleError("a viewBox that scales")
    shapes = [_shape(element) for element in root if element.tag != f"{SVG}title"]
    page = Group(*shapes)
    page.transform = (1, 0, 0, -1, 0, height)  # SVG's y runs down, reportlab's up
    return Drawing(width, height, page)


def _shape(element: ElementTree.Element) -> Shape:
    kind = element.tag.removeprefix(SVG)
    if kind not in GEOMETRY or set(element.attrib) - GEOMETRY[kind] - PAINT or len(element):
        raise NotSimpleError(f"element {kind}")
    a = {name: element.get(name) for name in GEOMETRY[kind]}
    shape: Shape
    if kind == "line":
        shape = Line(*(_number(a[k]) for k in ("x1", "y1", "x2", "y2")))
    elif kind == "circle":
        shape = Circle(_number(a["cx"]), _number(a["cy"]), _number(a["r"]))
    elif kind == "ellipse":
        shape = Ellipse(_number(a["cx"]), _number(a["cy"]), _number(a["rx"]), _number(a["ry"]))
    elif kind == "rect":
        rx = _number(a["rx"]) if a["rx"] else 0.0
        shape = Rect(_number(a["x"] or "0"), _number(a["y"] or "0"), _number(a["width"]), _number(a["height"]),
                     rx=rx, ry=_number(a["ry"]) if a["ry"] else rx)
    else:
        values = [float(v) for v in re.split(r"[\s,]+", (a["points"] or "").strip())]
        if len(values) % 2:
            raise NotSimpleError("odd polygon points")
        shape = Polygon(values)
    _paint(shape, element, line=kind == "line")
    return shape


def _paint(shape: Any, element: ElementTree.Element, line: bool) -> None:
    """SVG's defaults: shapes fill black and have no stroke unless told otherwise."""
    if not line:
        shape.fillColor = _colour(element.get("fill", "black"))
    shape.strokeColor = _colour(element.get("stroke", "none"))
    shape.strokeWidth = _number(element.get("stroke-width", "1"))
    shape.strokeLineCap = CAPS[element.get("stroke-linecap", "butt")]
    dashes = element.get("stroke-dasharray")
    shape.strokeDashArray = [float(v) for v in re.split(r"[\s,]+", dashes.strip())] if dashes else None
    opacity = element.get("opacity")
    if opacity is not None:
        value = float(opacity)
        shape.strokeOpacity = value
        if not line:
            shape.fillOpacity = value


def _colour(value: str) -> Color | None:
    if value == "none":
        return None
    colour: Color = toColor(value)
    return colour


def _number(text: str | None) -> float:
    if text is None or not NUMBER.fullmatch(text.strip()):
        raise NotSimpleError(f"not a plain number: {text!r}")
    return float(text)
