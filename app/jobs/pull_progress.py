"""A model pull's progress in words: how much, how fast, and about how long is left.

Plain Python (no Qt), so the CLI's progress bar and the windows can say the same thing.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from deskhand.app.store.history_views import format_duration

__all__ = ["PullProgress"]


class PullProgress:
    """Ollama reports each layer separately ("pulling 8934d96d3f08"); this sums them into one
    fraction and a line in words: how much, how fast, and about how long is left.

    The speed is measured over the last ``WINDOW_S`` seconds, so it follows the line's speed
    now rather than an average since the start; ``clock`` is injectable for that reason.
    """

    WINDOW_S = 10.0

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.layers: dict[str, tuple[int, int]] = {}
        self.status = ""
        self._clock = clock
        self._samples: deque[tuple[float, int]] = deque()

    def update(self, status: str, completed: int | None, total: int | None) -> None:
        self.status = status
        if total:
            self.layers[status] = (completed or 0, total)
            now = self._clock()
            self._samples.append((now, self.done))
            while len(self._samples) > 2 and now - self._samples[1][0] >= self.WINDOW_S:
                self._samples.popleft()

    @property
    def done(self) -> int:
        return sum(c for c, _ in self.layers.values())

    @property
    def total(self) -> int:
        return sum(t for _, t in self.layers.values())

    @property
    def fraction(self) -> float | None:
        """Share of the bytes seen so far; None while Ollama reports no sizes."""
        if self.status == "success":
            return 1.0
        return self.done / self.total if self.total else None

    @property
    def bytes_per_second(self) -> float | None:
        """Recent download speed; None until there are two samples apart in time."""
        if len(self._samples) < 2:
            return None
        (t0, b0), (t1, b1) = self._samples[0], self._samples[-1]
        return (b1 - b0) / (t1 - t0) if t1 > t0 and b1 > b0 else None

    @property
    def seconds_left(self) -> float | None:
        rate = self.bytes_per_second
        return (self.total - self.done) / rate if rate else None

    def text(self) -> str:
        """E.g. "Downloading: 1.2 of 6.0 GB · 45.3 MB/s · about 2 min 01 s left"
        (whole seconds under a minute: the estimate is not finer than that)."""
        downloading = self.status.startswith("pulling ") and self.status != "pulling manifest"
        phase = "Downloading" if downloading else self.status[:1].upper() + self.status[1:]
        if not self.total or not downloading:
            return phase
        parts = [f"{phase}: {self.done / 1e9:.1f} of {self.total / 1e9:.1f} GB"]
        rate, left = self.bytes_per_second, self.seconds_left
        if rate is not None and left is not None:
            left_text = f"{max(1, round(left))} s" if left < 60 else format_duration(left)
            parts += [f"{rate / 1e6:.1f} MB/s", f"about {left_text} left"]
        return " · ".join(parts)
