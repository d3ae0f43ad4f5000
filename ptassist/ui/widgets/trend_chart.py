"""A small outcome trend chart: each measure across visits, with the MCID band from baseline."""

from __future__ import annotations

from itertools import pairwise

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from ptassist.core.measures import load_measures

COLOURS = {"NPRS": "#b3261e", "LEFS": "#24465e", "ODI": "#b85c00", "PSFS": "#2e7d5b"}
SCALE = {"NPRS": 10.0, "LEFS": 80.0, "ODI": 100.0, "PSFS": 10.0}


class TrendChart(QWidget):
    """Scores as % of their scale; a shaded band shows the minimal clinically important change."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trend_chart")
        self.setAccessibleName("Outcome trend chart")
        self.series: dict[str, list[float]] = {}
        self.setMinimumHeight(170)

    def set_series(self, series: dict[str, list[float]]) -> None:
        self.series = {k: v for k, v in series.items() if v}
        desc = "; ".join(f"{k}: {' → '.join(f'{x:g}' for x in v)}" for k, v in self.series.items())
        self.setAccessibleDescription(desc or "No outcome scores yet")
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        area = QRectF(self.rect()).adjusted(36, 12, -90, -22)
        painter.setPen(QPen(QColor("#c8d3dc"), 1))
        for pct in (0, 25, 50, 75, 100):
            y = area.bottom() - area.height() * pct / 100
            painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
            painter.drawText(QRectF(0, y - 8, 32, 16), Qt.AlignmentFlag.AlignRight, f"{pct}%")
        if not self.series:
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, "No outcome scores recorded yet")
            return
        measures = load_measures()
        longest = max(len(v) for v in self.series.values())
        step = area.width() / max(1, longest - 1)

        def y_of(name: str, value: float) -> float:
            return area.bottom() - area.height() * min(1.0, max(0.0, value / SCALE[name]))

        for row, (name, values) in enumerate(self.series.items()):
            colour = QColor(COLOURS.get(name, "#444"))
            mcid = measures[name].mcid_points or 0
            baseline = values[0]
            top, bottom = y_of(name, baseline + mcid), y_of(name, baseline - mcid)
            shade = QColor(colour)
            shade.setAlpha(28)
            painter.fillRect(QRectF(area.left(), top, area.width(), bottom - top), shade)
            painter.setPen(QPen(colour, 2.2))
            points = [QPointF(area.left() + i * step, y_of(name, v)) for i, v in enumerate(values)]
            for a, b in pairwise(points):
                painter.drawLine(a, b)
            for p in points:
                painter.drawEllipse(p, 3, 3)
            painter.drawText(QRectF(area.right() + 10, area.top() + row * 18, 80, 16), Qt.AlignmentFlag.AlignLeft,
                             f"{name} {values[-1]:g}")
        painter.end()
