"""Loading the model in a helper thread while the first screenshot is taken and encoded."""

from __future__ import annotations

import threading
from collections.abc import Callable

from deskhand.core.errors import Stopped
from deskhand.core.ports import ShouldStop

__all__ = ["WarmUp"]


class WarmUp:
    """``Parts.warm_up`` running in a helper thread; ``wait`` hands over how it ended."""

    def __init__(self, work: Callable[[], None]) -> None:
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(work,), name="deskhand-warm-up", daemon=True)
        self._thread.start()

    def _run(self, work: Callable[[], None]) -> None:
        try:
            work()
        except BaseException as exc:  # handed over to the loop's thread by wait()
            self._error = exc

    def wait(self, should_stop: ShouldStop) -> None:
        """Block until it is done (Stop is honoured meanwhile); re-raise what it raised."""
        while self._thread.is_alive():
            if should_stop():
                raise Stopped()
            self._thread.join(0.02)
        if self._error is not None:
            raise self._error
