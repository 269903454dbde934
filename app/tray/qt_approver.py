"""``QtApprover``: the loop's ``Approver`` for the tray app -- the only code that opens a dialog.

The loop calls it on the worker thread and must get an answer back, so each call posts
"open this dialog" to the GUI thread and blocks the *worker* (never the GUI) until the
user answers, the dialog's countdown ends (Deny / no answer), or Stop is pressed (Deny,
and the loop stops right after).  Before handing the answer back it waits until the
dialog is really off the screen and gives the keyboard focus back to the window that had
it, so an approved click or typed text goes where the model meant, not into our dialog.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog

from deskhand.app.tray.gui_call import GuiCallTimeout, GuiInvoker
from deskhand.app.windows.confirm_dialog import ConfirmDialog
from deskhand.app.windows.marker import landing_crop
from deskhand.app.windows.question_dialog import QuestionDialog
from deskhand.core.actions import Action, describe
from deskhand.core.approval import UserAnswer
from deskhand.core.observation import Observation
from deskhand.core.ports import ShouldStop
from deskhand.core.step_log import landing_point
from deskhand.core.verdict import Verdict

log = logging.getLogger(__name__)

X11 = sys.platform.startswith("linux")
T = TypeVar("T")


class _Pending(Generic[T]):
    """One open dialog as the worker sees it."""

    def __init__(self, default: T) -> None:
        self.done = threading.Event()
        self.answer: T = default
        self.window_id = 0
        self.previous_focus: int | None = None
        self.dialog: QDialog | None = None

    def finish(self, answer: T) -> None:
        self.answer = answer
        self.done.set()


class DialogHost(QObject):
    """GUI-thread side: opens the dialogs and reports when one is open."""

    waiting = Signal(bool)  # True: a dialog opened; False: it closed
    opened = Signal(object)  # the QDialog, for tests and screenshots

    def __init__(self, timeout_s: float = 60.0) -> None:
        super().__init__()
        self.timeout_s = timeout_s
        self.invoker = GuiInvoker()
        # Dialogs delete themselves (deleteLater) once answered; until then Python must hold
        # them, or dropping the last reference would delete one in the middle of its signal.
        self._alive: dict[int, QDialog] = {}

    def _show(self, dialog: QDialog, pending: _Pending[T]) -> None:
        if X11:
            from deskhand.app.platform.x11_windows import active_window

            pending.previous_focus = active_window()
        pending.dialog = dialog
        key = id(dialog)
        self._alive[key] = dialog
        dialog.destroyed.connect(lambda: self._alive.pop(key, None))
        dialog.answered.connect(lambda answer: self._closed(pending, answer))  # type: ignore[attr-defined]
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        pending.window_id = int(dialog.winId())
        self.waiting.emit(True)
        self.opened.emit(dialog)

    def _closed(self, pending: _Pending[T], answer: T) -> None:
        pending.dialog = None
        self.waiting.emit(False)
        pending.finish(answer)

    def open_confirm(
        self, action: Action, verdict: Verdict, observation: Observation, pending: _Pending[UserAnswer]
    ) -> None:
        crop = landing_crop(observation, action)
        lands = landing_point(action, observation.geometry) is not None
        found = verdict.found or ("" if lands else None)
        what = describe(action, observation.geometry)
        self._show(ConfirmDialog(what, verdict.reason, crop, self.timeout_s, found=found), pending)

    def open_question(self, question: str, pending: _Pending[str | None]) -> None:
        self._show(QuestionDialog(question, self.timeout_s), pending)

    def cancel(self, pending: _Pending[T]) -> None:
        """Close a dialog the worker gave up on (stop or backstop timeout): its default stands."""
        dialog = pending.dialog
        if dialog is not None:
            dialog.close()


class QtApprover:
    """The ``Approver`` port; call from the worker thread only."""

    def __init__(self, host: DialogHost, should_stop: ShouldStop, *, grace_s: float = 5.0) -> None:
        self.host = host
        self.should_stop = should_stop
        self.grace_s = grace_s

    def confirm(self, action: Action, verdict: Verdict, observation: Observation) -> UserAnswer:
        pending: _Pending[UserAnswer] = _Pending(UserAnswer.DENY)
        return self._ask(lambda: self.host.open_confirm(action, verdict, observation, pending), pending)

    def answer(self, question: str) -> str | None:
        pending: _Pending[str | None] = _Pending(None)
        return self._ask(lambda: self.host.open_question(question, pending), pending)

    def _ask(self, open_dialog: Callable[[], None], pending: _Pending[T]) -> T:
        default = pending.answer
        if self.should_stop():
            return default
        try:
            self.host.invoker.call(open_dialog)
        except GuiCallTimeout:
            log.warning("could not open the dialog (the GUI thread is busy); answering no")
            return default
        deadline = time.monotonic() + self.host.timeout_s + self.grace_s
        while not pending.done.wait(0.05):
            if self.should_stop() or time.monotonic() > deadline:
                self.host.invoker.post(lambda: self.host.cancel(pending))
                pending.done.wait(1.0)
                pending.answer = default
                break
        self._hand_back_focus(pending)
        return pending.answer

    def _hand_back_focus(self, pending: _Pending[T]) -> None:
        if not X11 or not pending.window_id:
            return
        from deskhand.app.platform.x11_windows import activate, active_window, wait_unmapped

        wait_unmapped([pending.window_id], timeout=1.0)
        previous = pending.previous_focus
        if previous is None or previous == pending.window_id:
            return
        if active_window() != previous:
            activate(previous)
            deadline = time.monotonic() + 0.5
            while active_window() != previous and time.monotonic() < deadline:
                time.sleep(0.01)
