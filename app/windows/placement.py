"""Where a window of ours opens: within the free area of the screen the user is on, centred.

Why here and not in each window: a size that fits at 100 % is off-screen at 150 % (History
once opened 1800x1080 on a 1920x1080 screen), and Qt puts a window with no position at the
top-left.  Every window sizes itself from what it wants and this fits and centres it.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtGui import QCursor, QGuiApplication, QScreen
from PySide6.QtWidgets import QWidget

__all__ = ["FRAME", "fit_to_screen", "room_on_screen", "screen_for"]

# Room left for the window manager's frame (title bar and borders), which a window learns
# only after it is shown; generous for the common themes.
FRAME = QSize(16, 48)
MARGIN = 16  # free space kept between the frame and the screen's edges


def screen_for(window: QWidget) -> QScreen:
    """The screen holding the pointer (where the user is looking), else the window's own."""
    return QGuiApplication.screenAt(QCursor.pos()) or window.screen() or QGuiApplication.primaryScreen()


def room_on_screen(window: QWidget) -> QSize:
    """The largest client size whose frame fits in the screen's free area."""
    area = screen_for(window).availableGeometry()
    return QSize(area.width() - FRAME.width() - 2 * MARGIN, area.height() - FRAME.height() - 2 * MARGIN)


def fit_to_screen(window: QWidget, wanted: QSize) -> QRect:
    """Resize ``window`` to ``wanted`` (less where the screen is smaller) and centre it in
    the free area of the screen holding the pointer; returns the client rectangle."""
    area = screen_for(window).availableGeometry()
    size = wanted.boundedTo(room_on_screen(window)).expandedTo(window.minimumSize())
    window.resize(size)
    outer = size + FRAME
    top_left = QPoint(
        area.x() + max(0, (area.width() - outer.width()) // 2),
        area.y() + max(0, (area.height() - outer.height()) // 2),
    )
    window.move(top_left)
    return QRect(top_left, size)
