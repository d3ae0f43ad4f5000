"""The body chart: front, back and side figures with the intake's regions; click to mark.

A click cycles a region through pain → paraesthesia → numbness → clear, on the side chosen above
the figures. In "sensory loss" mode a click marks reduced sensation found on examination. By
keyboard, the arrow keys move between regions and Space (or Enter) does what a click does. Marks
are drawn with a letter as well as a colour (P, T, N, and a hatched outline for sensory loss).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QHelpEvent, QKeyEvent, QMouseEvent, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QToolTip, QWidget

KINDS = ("pain", "paraesthesia", "numbness")
KIND_STYLE = {"pain": ("P", "#b3261e"), "paraesthesia": ("T", "#b85c00"), "numbness": ("N", "#2a5d9f")}
VIEWS = ("front", "back", "side")
# Region hotspots: view -> region -> (x, y, w, h) in a 100 x 240 figure box.
REGIONS: dict[str, dict[str, tuple[float, float, float, float]]] = {
    "front": {
        "groin": (38, 98, 24, 12), "anterior_thigh": (30, 112, 18, 34), "anterolateral_thigh": (18, 112, 12, 34),
        "anterior_knee": (28, 148, 18, 14), "medial_leg": (44, 164, 8, 40), "dorsum_foot": (24, 216, 18, 10),
        "great_toe": (42, 228, 8, 8),
    },
    "back": {
        "low_back": (34, 76, 32, 18), "buttock": (30, 96, 40, 18), "posterior_thigh": (28, 116, 20, 32),
        "posterolateral_knee": (22, 150, 14, 12), "posterior_calf": (28, 166, 18, 38), "sole": (28, 222, 16, 12),
    },
    "side": {
        "lateral_hip": (38, 96, 24, 14), "lateral_thigh": (38, 112, 22, 34), "lateral_knee": (38, 148, 22, 14),
        "lateral_leg": (40, 164, 18, 40), "lateral_foot": (36, 218, 24, 10),
    },
}


class BodyChart(QWidget):
    """Marks symptoms (or sensory loss) by region and side."""

    changed = Signal()

    def __init__(self, labels: dict[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("body_chart")
        self.setAccessibleName("Body chart")
        self.labels = labels
        self.symptoms: dict[tuple[str, str], str] = {}  # (region, side) -> kind
        self.sensory: set[tuple[str, str]] = set()
        self.side = "left"
        self.mode = "symptoms"  # or "sensory"
        self.setMinimumSize(480, 330)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.order = [region for view in VIEWS for region in REGIONS[view]]
        self.current = self.order.index("lateral_knee")  # where the keyboard starts: the referred complaint
        self._update_description()

    # -------------------------------------------------------------- data
    def set_marks(self, symptoms: list[dict[str, Any]] | None, sensory: list[dict[str, Any]] | None,
                  default_side: str) -> None:
        self.symptoms = {(s["region"], s.get("side", default_side)): s["kind"] for s in symptoms or []}
        self.sensory = {(s["region"], s.get("side", default_side)) for s in sensory or []}
        self._update_description()
        self.update()

    def symptom_list(self) -> list[dict[str, str]]:
        return [{"region": r, "kind": k, "side": side} for (r, side), k in sorted(self.symptoms.items())]

    def sensory_list(self) -> list[dict[str, str]]:
        return [{"region": r, "side": side} for r, side in sorted(self.sensory)]

    def toggle(self, region: str, side: str | None = None) -> None:
        """What a click does: cycle the symptom kind, or toggle sensory loss."""
        key = (region, side or self.side)
        if self.mode == "sensory":
            self.sensory.symmetric_difference_update({key})
        else:
            current = self.symptoms.get(key)
            following = KINDS[KINDS.index(current) + 1] if current in KINDS[:-1] else (None if current else KINDS[0])
            if following is None:
                self.symptoms.pop(key, None)
            else:
                self.symptoms[key] = following
        self._update_description()
        self.update()
        self.changed.emit()

    def _update_description(self) -> None:
        parts = [f"{self.labels.get(r, r)} {side}: {k}" for (r, side), k in sorted(self.symptoms.items())]
        parts += [f"{self.labels.get(r, r)} {side}: reduced sensation" for r, side in sorted(self.sensory)]
        region = self.order[self.current]
        self.setAccessibleDescription(f"Current region: {self.labels.get(region, region)}, {self.side} "
                                      f"(arrows move, Space marks). Marked: {'; '.join(parts) or 'nothing'}")

    def move_current(self, step: int) -> None:
        self.current = (self.current + step) % len(self.order)
        self._update_description()
        self.update()

    # -------------------------------------------------------------- geometry and painting
    def _boxes(self) -> list[tuple[str, QRectF]]:
        width = self.width() / 3
        scale = min(width / 110, (self.height() - 20) / 245)
        boxes = []
        for column, view in enumerate(VIEWS):
            left = column * width + (width - 100 * scale) / 2
            for region, (x, y, w, h) in REGIONS[view].items():
                boxes.append((region, QRectF(left + x * scale, 18 + y * scale, w * scale, h * scale)))
        return boxes

    def region_at(self, point: QPointF) -> str | None:
        for region, rect in self._boxes():
            if rect.contains(point):
                return region
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        region = self.region_at(event.position())
        if region is not None:
            self.current = self.order.index(region)
            self.toggle(region)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        key = event.key()
        if key in (Qt.Key.Key_Right, Qt.Key.Key_Down):
            self.move_current(1)
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Up):
            self.move_current(-1)
        elif key in (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.toggle(self.order[self.current])
        else:
            super().keyPressEvent(event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            region = self.region_at(QPointF(event.pos()))
            if region is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(event.globalPos(), f"{self.labels.get(region, region)} ({self.side})", self)
            return True
        return super().event(event)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        width = self.width() / 3
        scale = min(width / 110, (self.height() - 20) / 245)
        for column, view in enumerate(VIEWS):
            left = column * width + (width - 100 * scale) / 2
            painter.setPen(QColor("#5b6b78"))
            painter.drawText(QRectF(column * width, 0, width, 16), Qt.AlignmentFlag.AlignCenter, view)
            painter.setPen(QPen(QColor("#aab6c0"), 1.5))
            painter.setBrush(QColor("#eef3f6"))
            painter.drawPath(_silhouette(left, 18, scale, view))
        for region, rect in self._boxes():
            key = (region, self.side)
            kind = self.symptoms.get(key)
            painter.setPen(QPen(QColor("#c8d3dc"), 1, Qt.PenStyle.DotLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect, 3, 3)
            if kind:
                letter, colour = KIND_STYLE[kind]
                fill = QColor(colour)
                fill.setAlpha(90)
                painter.setBrush(fill)
                painter.setPen(QPen(QColor(colour), 1.5))
                painter.drawRoundedRect(rect, 3, 3)
                painter.setPen(QColor("#1d2b36"))
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, letter)
            if key in self.sensory:
                painter.setPen(QPen(QColor("#2a5d9f"), 2))
                painter.setBrush(QBrush(QColor("#2a5d9f"), Qt.BrushStyle.BDiagPattern))
                painter.drawRoundedRect(rect.adjusted(-2, -2, 2, 2), 3, 3)
            if self.hasFocus() and region == self.order[self.current]:
                painter.setPen(QPen(QColor("#1d2b36"), 2, Qt.PenStyle.DashLine))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRoundedRect(rect.adjusted(-4, -4, 4, 4), 4, 4)
        painter.end()


def _silhouette(left: float, top: float, s: float, view: str) -> QPainterPath:
    path = QPainterPath()
    path.addEllipse(QRectF(left + 40 * s, top, 20 * s, 24 * s))
    if view == "side":
        path.addRoundedRect(QRectF(left + 38 * s, top + 26 * s, 24 * s, 70 * s), 8 * s, 8 * s)
        path.addRoundedRect(QRectF(left + 38 * s, top + 92 * s, 24 * s, 130 * s), 8 * s, 8 * s)
        path.addRoundedRect(QRectF(left + 36 * s, top + 216 * s, 30 * s, 12 * s), 4 * s, 4 * s)
    else:
        path.addRoundedRect(QRectF(left + 28 * s, top + 26 * s, 44 * s, 72 * s), 10 * s, 10 * s)
        path.addRoundedRect(QRectF(left + 26 * s, top + 96 * s, 22 * s, 126 * s), 8 * s, 8 * s)
        path.addRoundedRect(QRectF(left + 52 * s, top + 96 * s, 22 * s, 126 * s), 8 * s, 8 * s)
        path.addRoundedRect(QRectF(left + 14 * s, top + 28 * s, 12 * s, 80 * s), 6 * s, 6 * s)
        path.addRoundedRect(QRectF(left + 74 * s, top + 28 * s, 12 * s, 80 * s), 6 * s, 6 * s)
    return path
