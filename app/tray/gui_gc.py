"""Python's cycle collector, run on the GUI thread only.

The collector runs in whichever thread happens to allocate when a generation fills up --
in this app often the task's worker thread.  If it then frees a dead window (a cycle of
Python wrappers around Qt widgets), Qt deletes the widgets off the GUI thread, and Qt may
crash.  So automatic collection is switched off and a timer on the GUI thread collects,
with the collector's own thresholds, a pattern long used by large PyQt applications.
Reference counting (which frees almost everything) is unaffected.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500


class GuiThreadCollector(QObject):
    """Create on the GUI thread; collects there every ``INTERVAL_MS`` when a generation is full."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        self.collections = 0
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        self._timer.start(interval_ms)

    def check(self) -> None:
        """Collect the oldest generation whose count has passed its threshold, if any."""
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self.thresholds[generation]:
                gc.collect(generation)
                self.collections += 1
                return

    def stop(self) -> None:
        """Hand collection back to Python (at quit, or in tests)."""
        self._timer.stop()
        gc.enable()
