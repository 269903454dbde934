"""One Stop: asked once from any thread, read as the loop's ShouldStop, never lowered."""

from __future__ import annotations

import threading
import time

from deskhand.core.stop import StopToken


def test_stop_is_asked_once_and_stays_asked() -> None:
    stop = StopToken()
    assert not stop.requested and stop() is False
    assert stop.request() is True
    assert stop.request() is False  # the second ask changes nothing
    assert stop.requested and stop() is True


def test_waiting_wakes_at_once_on_stop_from_another_thread() -> None:
    stop = StopToken()
    threading.Timer(0.05, stop.request).start()
    started = time.monotonic()
    assert stop.wait(30.0) is True
    assert time.monotonic() - started < 5.0
    assert StopToken().wait(0.01) is False
