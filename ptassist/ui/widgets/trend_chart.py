"""Outcome trends: one small panel per measure on its own scale, with the baseline, the minimal
clinically important difference (MCID) from it, and the verdict in words.

Each panel shades the band between the baseline and the MCID threshold: a score inside it has not
changed by a clinically important amount. The verdict ("improved beyond the MCID", "within the
MCID", "worse") comes from :func:`ptassist.core.measures.compare`, so the chart and the printed
summary always agree.
"""

from __future__ import annotations

from itertools import pairwise

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from ptassist.core.measures import Change, MeasureDefinition, compare, load_measures

COLOURS = {"NPRS": "#b3261e", "LEFS": "#24465e", "ODI": "#b85c00", "PSFS": "#2e7d5b"}
INK, FAINT, GRID = QColor("#1d2b36"), QColor("#5b6b78"), QColor("#d5dde3")
Point = tuple[str, float]  # (visit date, score)


def verdict(change: Change) -> str:
    """The change from baseline in words (never colour alone)."""
    amount = f"{abs(change.improvement):g} {'point' if abs(change.improvement) == 1 else 'points'}"
    if change.passes_mcid:
        return f"▲ better by {amount}: beyond the MCID"
    if change.improvement < 0:
        return f"▼ worse by {amount}"
    if change.improvement == 0:
        return "no change"
    return f"better by {amount}: within the MCID"


class TrendChart(QWidget):
    """Each measure across visits; the shaded band is a change smaller than the MCID."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trend_chart")
        self.setAccessibleName("Outcome trends")
        self.series: dict[str, list[Point]] = {}
        self.verdicts: dict[str, str] = {}
        self.setMinimumHeight(240)
        self.setToolTip("Dotted line: the first score (baseline). Shaded band up to the dashed line: a change "
                        "smaller than the minimal clinically important difference (MCID).")

    def set_series(self, series: dict[str, list[Point]]) -> None:
        """Scores per measure, oldest visit first: ``{"NPRS": [("2026-03-01", 7.0), ...]}``."""
        measures = load_measures()
        self.series = {name: points for name, points in series.items() if points and name in measures}
        self.verdicts = {}
        for name, points in self.series.items():
            if len(points) > 1:
                self.verdicts[name] = verdict(compare(name, points[0][1], points[-1][1]))
        parts = []
        for name, points in self.series.items():
            values = " → ".join(f"{value:g}" for _day, value in points)
            parts.append(f"{name}: {values}" + (f" ({self.verdicts[name]})" if name in self.verdicts else ""))
        self.setAccessibleDescription("; ".join(parts) or "No outcome scores yet")
        self.update()

    def panels(self) -> list[tuple[str, QRectF]]:
        """Where each measure's panel goes: a 2 x 2 grid for three or four measures, else a row."""
        names = list(self.series)
        columns = 2 if len(names) > 2 else max(1, len(names))
        rows = (len(names) + columns - 1) // columns
        width, height = self.width() / columns, self.height() / max(1, rows)
        return [(name, QRectF((i % columns) * width, (i // columns) * height, width, height).adjusted(4, 4, -4, -4))
                for i, name in enumerate(names)]

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if not self.series:
            painter.setPen(FAINT)
            painter.drawText(QRectF(self.rect()), Qt.AlignmentFlag.AlignCenter,
                             "No outcome scores yet: they appear here from the first visit that records them")
            painter.end()
            return
        measures = load_measures()
        for name, box in self.panels():
            self._panel(painter, measures[name], self.series[name], box)
        painter.end()

    def _panel(self, painter: QPainter, measure: MeasureDefinition, points: list[Point], box: QRectF) -> None:
        colour = QColor(COLOURS.get(measure.id, "#444444"))
        title = QFont(self.font())
        title.setBold(True)
        painter.setFont(title)
        painter.setPen(INK)
        better = {"lower": "lower is better", "higher": "higher is better"}.get(measure.better or "", "")
        painter.drawText(QRectF(box.left(), box.top(), box.width(), 18), Qt.AlignmentFlag.AlignLeft,
                         f"{measure.id}  {points[-1][1]:g}")
        painter.setFont(self.font())
        painter.setPen(FAINT)
        painter.drawText(QRectF(box.left(), box.top(), box.width(), 18), Qt.AlignmentFlag.AlignRight,
                         f"{measure.low:g}–{measure.high:g}, {better}")
        painter.setPen(INK if measure.id in self.verdicts else FAINT)
        painter.drawText(QRectF(box.left(), box.top() + 18, box.width(), 18), Qt.AlignmentFlag.AlignLeft,
                         self.verdicts.get(measure.id, "baseline only: change shows from the next visit"))
        plot = box.adjusted(30, 42, -8, -18)
        span = (measure.high - measure.low) or 1.0

        def y_of(value: float) -> float:
            clamped = min(measure.high, max(measure.low, value))
            return plot.bottom() - plot.height() * (clamped - measure.low) / span

        painter.setPen(QPen(GRID, 1))
        for fraction in (0.0, 0.5, 1.0):
            value = measure.low + span * fraction
            painter.drawLine(QPointF(plot.left(), y_of(value)), QPointF(plot.right(), y_of(value)))
            painter.setPen(FAINT)
            painter.drawText(QRectF(box.left(), y_of(value) - 8, 26, 16), Qt.AlignmentFlag.AlignRight, f"{value:g}")
            painter.setPen(QPen(GRID, 1))
        baseline = points[0][1]
        if measure.mcid_points and measure.better:
            threshold = baseline - measure.mcid_points if measure.better == "lower" else baseline + measure.mcid_points
            band = QColor(colour)
            band.setAlpha(30)
            top, bottom = sorted((y_of(baseline), y_of(threshold)))
            painter.fillRect(QRectF(plot.left(), top, plot.width(), bottom - top), band)
            painter.setPen(QPen(colour, 1, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(plot.left(), y_of(threshold)), QPointF(plot.right(), y_of(threshold)))
        painter.setPen(QPen(FAINT, 1, Qt.PenStyle.DotLine))
        painter.drawLine(QPointF(plot.left(), y_of(baseline)), QPointF(plot.right(), y_of(baseline)))
        step = plot.width() / max(1, len(points) - 1)
        xy = [QPointF(plot.left() + (i * step if len(points) > 1 else plot.width() / 2), y_of(value))
              for i, (_day, value) in enumerate(points)]
        painter.setPen(QPen(colour, 2.2))
        for a, b in pairwise(xy):
            painter.drawLine(a, b)
        painter.setBrush(colour)
        for point in xy:
            painter.drawEllipse(point, 3, 3)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(FAINT)
        first, last = points[0][0], points[-1][0]
        painter.drawText(QRectF(plot.left(), plot.bottom() + 2, plot.width(), 16), Qt.AlignmentFlag.AlignLeft, first)
        if len(points) > 1:
            painter.drawText(QRectF(plot.left(), plot.bottom() + 2, plot.width(), 16), Qt.AlignmentFlag.AlignRight,
                             f"{last}  ({len(points)} visits)")
