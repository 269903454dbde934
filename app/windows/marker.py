"""Where an action lands, shown on the screenshot the model saw.

The picture is the JPEG the model was sent.  A decided action already points into it
(``core.landing.lands_at``), so it is drawn there directly.  A recorded step keeps desktop
points (``StepRecord.screen_targets``); the way back is the step's own geometry
(``ScreenGeometry.to_image``), never the current screen, so the marker is drawn where the
model pointed even if the monitor layout changed since.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRect, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPixmap, QPolygonF

from deskhand.core.actions import Action
from deskhand.core.geometry import ImagePoint, Rect, ScreenGeometry, ScreenPoint, Size
from deskhand.core.landing import lands_at
from deskhand.core.observation import Observation
from deskhand.core.trace import StepRecord

MARKER = QColor("#e91e63")


def record_geometry(record: StepRecord) -> ScreenGeometry:
    return ScreenGeometry(image_size=Size(*record.image_size), screen_rect=Rect(*record.screen_rect))


def image_points(landings: Sequence[Sequence[int] | None], geometry: ScreenGeometry) -> list[ImagePoint]:
    """Desktop landings mapped into the step's image; landings off this monitor are left out."""
    points = []
    for landing in landings:
        if landing is None:
            continue
        point = geometry.to_image(ScreenPoint(x=int(landing[0]), y=int(landing[1])))
        if point is not None:
            points.append(point)
    return points


def action_points(actions: Sequence[Action]) -> list[ImagePoint]:
    """Where each action lands in its own screenshot: image space, no trip to the desktop."""
    return [p for p in map(lands_at, actions) if p is not None]


def draw_marker(painter: QPainter, at: QPointF, radius: float) -> None:
    """A small dot on the point and an arrow pointing up at it from below.

    Nothing crosses the landing itself: a cross-hair or a filled ring hid the very label the
    user must read ("Send"? "Delete"?) to judge the action.  The arrow's tip stops
    ``radius`` * 0.75 below the point -- under a line of text -- and the dot is smaller than
    a letter.  White under the colour keeps both visible on light and dark screens.
    """
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    dot = max(1.5, radius * 0.13)
    tip = QPointF(at.x(), at.y() + radius * 0.75)
    tail = QPointF(at.x(), at.y() + radius * 2.6)
    head = radius * 0.55
    arrow = QPolygonF(
        [tip, QPointF(tip.x() - head * 0.8, tip.y() + head), QPointF(tip.x() + head * 0.8, tip.y() + head)]
    )
    for colour, width in ((QColor(255, 255, 255, 230), 4.0), (MARKER, 2.0)):
        painter.setPen(QPen(colour, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        painter.setBrush(colour)
        painter.drawLine(QPointF(tip.x(), tip.y() + head * 0.5), tail)
        painter.drawPolygon(arrow)
    painter.setPen(Qt.PenStyle.NoPen)
    for colour, r in ((QColor(255, 255, 255, 230), dot + 1.0), (MARKER, dot)):
        painter.setBrush(colour)
        painter.drawEllipse(at, r, r)


def decode(observation: Observation) -> QImage:
    image = QImage()
    image.loadFromData(observation.image)
    return image


CROP = Size(420, 240)


def landing_crop(observation: Observation, action: Action, size: Size = CROP) -> QPixmap | None:
    """The part of the screenshot around where ``action`` lands, with the spot marked."""
    points = action_points([action])
    image = decode(observation)
    if not points or image.isNull():
        return None
    p = points[0]
    w, h = min(size.width, image.width()), min(size.height, image.height())
    left = int(min(max(p.x - w / 2, 0), image.width() - w))
    top = int(min(max(p.y - h / 2, 0), image.height() - h))
    pixmap = QPixmap.fromImage(image.copy(QRect(left, top, w, h)))
    painter = QPainter(pixmap)
    draw_marker(painter, QPointF(p.x - left, p.y - top), 12.0)
    painter.end()
    return pixmap
