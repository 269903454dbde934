"""The tray and window icons, drawn with QPainter: one per agent state.

Drawn rather than shipped so there are no asset files to package or license, and so the
icons stay sharp at every size a tray host asks for.  Each state has its own colour *and*
glyph, so the state reads without colour vision too.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

from deskhand.app.tray.session import AgentState

COLOURS = {
    AgentState.IDLE: QColor("#546e7a"),
    AgentState.THINKING: QColor("#f9a825"),
    AgentState.ACTING: QColor("#2e7d32"),
    AgentState.WAITING: QColor("#1565c0"),
    AgentState.PAUSED: QColor("#6a1b9a"),
    AgentState.ERROR: QColor("#c62828"),
}
SIZES = (16, 22, 24, 32, 48, 64)


def _arrow(painter: QPainter, s: float, corners: tuple[tuple[float, float], ...]) -> None:
    """A filled white pointer arrow through ``corners`` (fractions of the icon's side ``s``)."""
    (x0, y0), *rest = corners
    path = QPainterPath(QPointF(s * x0, s * y0))
    for x, y in rest:
        path.lineTo(s * x, s * y)
    path.closeSubpath()
    painter.setBrush(QBrush(QColor("white")))
    painter.drawPath(path)


def _glyph(painter: QPainter, state: AgentState, s: float) -> None:
    white = QColor("white")
    pen = QPen(white, max(1.5, s * 0.09), Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    if state is AgentState.IDLE:  # a pointer arrow at rest
        _arrow(painter, s, ((0.36, 0.24), (0.36, 0.74), (0.49, 0.61), (0.66, 0.66)))
    elif state is AgentState.THINKING:  # three dots
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(white))
        r = s * 0.075
        for x in (0.3, 0.5, 0.7):
            painter.drawEllipse(QPointF(s * x, s * 0.5), r, r)
    elif state is AgentState.ACTING:  # a click: arrow plus a ring
        painter.drawEllipse(QPointF(s * 0.38, s * 0.38), s * 0.15, s * 0.15)
        _arrow(painter, s, ((0.42, 0.42), (0.42, 0.8), (0.53, 0.68), (0.72, 0.7)))
    elif state is AgentState.WAITING:  # a question mark
        font = painter.font()
        font.setBold(True)
        font.setPixelSize(max(8, int(s * 0.62)))
        painter.setFont(font)
        painter.drawText(QRectF(0, 0, s, s), Qt.AlignmentFlag.AlignCenter, "?")
    elif state is AgentState.PAUSED:  # two bars: waiting for the model server
        for x in (0.4, 0.6):
            painter.drawLine(QPointF(s * x, s * 0.3), QPointF(s * x, s * 0.7))
    else:  # error: an exclamation mark
        painter.drawLine(QPointF(s * 0.5, s * 0.24), QPointF(s * 0.5, s * 0.58))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(white))
        painter.drawEllipse(QPointF(s * 0.5, s * 0.74), s * 0.065, s * 0.065)


def state_pixmap(state: AgentState, size: int) -> QPixmap:
    """A round badge in the state's colour with its glyph, ``size`` pixels square."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(COLOURS[state]))
    margin = max(0.5, size * 0.04)
    painter.drawEllipse(QRectF(margin, margin, size - 2 * margin, size - 2 * margin))
    _glyph(painter, state, float(size))
    painter.end()
    return pixmap


@cache
def state_icon(state: AgentState) -> QIcon:
    """The icon for ``state`` at every size a tray host may ask for (cached: drawn once)."""
    icon = QIcon()
    for size in SIZES:
        icon.addPixmap(state_pixmap(state, size))
    return icon
