"""Model-server jobs: calls against the server (list, version, pull) run off the GUI thread.

Why the server calls run in ``ServerJob`` threads: listing models asks ``/api/show`` once per
model and a pull streams for minutes; the windows must keep painting and stay cancellable.

Why a job is two objects: destroying a ``QThread`` that still runs aborts the process, and a
window may be closed or deleted at any moment.  So the thread (``_JobThread``) belongs to the
application, never to a window, and deletes itself once it has ended; the window owns only
the ``ServerJob`` handle, which relays the thread's signals.  Deleting or ``detach``ing the
handle cancels the call and drops whatever it still reports: a late answer never reaches a
deleted widget, and no window can take a running thread down with it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

import shiboken6
from PySide6.QtCore import QCoreApplication, QDeadlineTimer, QObject, QThread, Signal

from deskhand.app.tray.gui_text import for_gui
from deskhand.core.errors import DeskhandError, Stopped
from deskhand.core.ports import ShouldStop
from deskhand.vision.ollama_model import ModelInfo, OllamaModel, ProgressCallback

__all__ = [
    "ModelServer",
    "ServerFactory",
    "ServerJob",
    "Work",
    "ollama_server",
    "server_jobs_running",
    "stop_server_jobs",
]

log = logging.getLogger(__name__)


class ModelServer(Protocol):
    """The part of ``OllamaModel`` these windows use (tests may pass a fake)."""

    def list_models(self) -> list[ModelInfo]: ...

    def server_version(self) -> str: ...

    def pull(
        self, name: str, on_progress: ProgressCallback, *, should_stop: ShouldStop | None = None
    ) -> None: ...


ServerFactory = Callable[[str], ModelServer]


def ollama_server(host: str) -> ModelServer:
    return OllamaModel(host=host, model="")


Work = Callable[[ProgressCallback, ShouldStop], object]
_QUIT_WAIT_MS = 5_000  # at quit, how long cancelled calls get to end
_QUIT_HOOK = "deskhand_server_jobs_stop_at_quit"  # a property of the application, set once


class _JobThread(QThread):
    """Runs one call off the UI thread.  A child of the application, never of a window, and
    deleted (``deleteLater``) only once it has finished.

    The call gets a progress callback and a ``should_stop`` it must honour; a broad catch is
    allowed here only because this is a thread boundary (it logs and reports ``failed``).
    """

    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    progressed = Signal(str, object, object)  # object: byte counts overflow a C++ int

    def __init__(self, work: Work) -> None:
        app = QCoreApplication.instance()
        if app is None:
            raise RuntimeError("a ServerJob needs a running QApplication")
        super().__init__(app)
        self._work = work
        self._stop = False
        self.finished.connect(self.deleteLater)
        if not app.property(_QUIT_HOOK):  # the app's children are deleted after this: end first
            app.setProperty(_QUIT_HOOK, True)
            app.aboutToQuit.connect(lambda: stop_server_jobs(_QUIT_WAIT_MS))

    def cancel(self) -> None:
        self._stop = True

    def run(self) -> None:
        try:
            result = self._work(self.progressed.emit, lambda: self._stop)
        except Stopped:
            self.cancelled.emit()
        except DeskhandError as exc:
            self.failed.emit(for_gui(str(exc)))
        except Exception as exc:
            log.exception("server job failed")
            self.failed.emit(f"Unexpected error: {type(exc).__name__}: {exc}")
        else:
            self.succeeded.emit(result)


def _threads() -> list[_JobThread]:
    app = QCoreApplication.instance()
    return [t for t in app.findChildren(_JobThread) if t.isRunning()] if app is not None else []


def server_jobs_running() -> int:
    """How many server calls are still running (their windows may be long gone)."""
    return len(_threads())


def stop_server_jobs(timeout_ms: int = _QUIT_WAIT_MS) -> bool:
    """Cancel every server call still running and wait for them; True once all have ended.

    The app calls it at quit; tests call it so no call outlives its test."""
    threads = _threads()
    for thread in threads:
        thread.cancel()
    deadline = QDeadlineTimer(timeout_ms)
    return all(thread.wait(deadline) for thread in threads)


class ServerJob(QObject):
    """One call against the model server, run on a thread, reported through signals.

    Owned by its window (``parent``); the thread is not (see the module's docstring).  When
    this handle is deleted or ``detach``ed, the call is cancelled and what it reports later
    is dropped.  ``work`` gets a progress callback and a ``should_stop`` it must honour.
    """

    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    progressed = Signal(str, object, object)

    def __init__(self, work: Work, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._work = work
        self._thread: _JobThread | None = None

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("a ServerJob runs once")
        thread = self._thread = _JobThread(self._work)
        for name in ("succeeded", "failed", "cancelled", "progressed"):  # queued: thread → GUI
            getattr(thread, name).connect(getattr(self, name))
        self.destroyed.connect(thread.cancel)
        thread.start()

    def _live_thread(self) -> _JobThread | None:
        thread = self._thread
        return thread if thread is not None and shiboken6.isValid(thread) else None

    def isRunning(self) -> bool:  # the name QThread gives it
        thread = self._live_thread()
        return thread is not None and thread.isRunning()

    def wait(self, timeout_ms: int) -> bool:
        """Block until the call has ended (True) or ``timeout_ms`` passed (False)."""
        thread = self._live_thread()
        return thread is None or thread.wait(timeout_ms)

    def cancel(self) -> None:
        thread = self._live_thread()
        if thread is not None:
            thread.cancel()

    def detach(self) -> None:
        """The owner is closing or asking anew: cancel, and drop what the call reports later.

        The thread ends on its own and then deletes itself."""
        thread = self._live_thread()
        self._thread = None
        if thread is not None:
            thread.cancel()
            thread.disconnect(self)
