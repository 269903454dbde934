"""Run a function on the GUI thread from a worker thread and wait for its result.

Qt widgets may only be touched on the thread that owns them.  The loop's worker needs a
few quick GUI operations (hide our windows before a screenshot, open a dialog), so it
posts a call through a queued signal and waits on a ``threading.Event``.  A timeout rather
than ``BlockingQueuedConnection``: if the GUI thread is itself waiting for the worker (at
quit), a blocking connection would deadlock, while this returns an error the caller can
handle.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from PySide6.QtCore import QObject, Qt, Signal

from deskhand.core.errors import DeskhandError

T = TypeVar("T")


class GuiCallTimeout(DeskhandError, RuntimeError):
    """The GUI thread did not run a posted call in time (it is busy or shutting down)."""


class _Call(Generic[T]):
    __slots__ = ("done", "error", "fn", "result")

    def __init__(self, fn: Callable[[], T]) -> None:
        self.fn = fn
        self.done = threading.Event()
        self.result: T | None = None
        self.error: BaseException | None = None


class GuiInvoker(QObject):
    """Create on the GUI thread; ``call`` from any thread."""

    _posted = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self._gui_thread = threading.get_ident()
        self._posted.connect(self._run, Qt.ConnectionType.QueuedConnection)

    def _run(self, call: _Call[object]) -> None:
        try:
            call.result = call.fn()
        except BaseException as exc:  # handed back to the calling thread, which re-raises it
            call.error = exc
        finally:
            call.done.set()

    def call(self, fn: Callable[[], T], timeout: float = 5.0) -> T:
        """Run ``fn`` on the GUI thread and return its result (directly if already there)."""
        if threading.get_ident() == self._gui_thread:
            return fn()
        call: _Call[T] = _Call(fn)
        self._posted.emit(call)
        if not call.done.wait(timeout):
            raise GuiCallTimeout(f"the GUI thread did not answer within {timeout:g} s")
        if call.error is not None:
            raise call.error
        return call.result  # type: ignore[return-value]

    def post(self, fn: Callable[[], object]) -> None:
        """Run ``fn`` on the GUI thread later, without waiting."""
        self._posted.emit(_Call(fn))
