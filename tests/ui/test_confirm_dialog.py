"""QtApprover and its dialogs, asked from a worker thread and answered by clicks and keys."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import pytest
from PIL import Image, ImageDraw
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel
from pytestqt.qtbot import QtBot

from deskhand.app.tray.qt_approver import DialogHost, QtApprover
from deskhand.app.windows.confirm_dialog import ConfirmDialog
from deskhand.app.windows.question_dialog import QuestionDialog
from deskhand.core.actions import Click, RunShell
from deskhand.core.approval import UserAnswer
from deskhand.core.geometry import ImagePoint, Rect, ScreenGeometry, Size
from deskhand.core.observation import Observation
from deskhand.core.verdict import Level, Verdict
from tests.ui.conftest import Form, poll, x

pytestmark = pytest.mark.usefixtures("window_manager")

CONFIRM = Verdict(level=Level.CONFIRM, reason="it writes files")
GEOMETRY = ScreenGeometry(image_size=Size(1316, 728), screen_rect=Rect(0, 0, 1920, 1080))


def observation() -> Observation:
    image = Image.new("RGB", GEOMETRY.image_size, "white")
    ImageDraw.Draw(image).rectangle((600, 340, 720, 380), fill="navy")
    data = io.BytesIO()
    image.save(data, "JPEG")
    return Observation("obs-1", data.getvalue(), "image/jpeg", GEOMETRY, 1.0, 1.0)


def gone(dialog: QDialog) -> bool:
    try:
        return not dialog.isVisible()
    except RuntimeError:  # already deleted
        return True


class Asker:
    """Calls the approver on a worker thread, as the loop does."""

    def __init__(self, qtbot: QtBot, timeout_s: float = 60.0) -> None:
        self.qtbot = qtbot
        self.stop = threading.Event()
        self.host = DialogHost(timeout_s)
        self.approver = QtApprover(self.host, self.stop.is_set)
        self.pool = ThreadPoolExecutor(1)

    def ask(self, call: Callable[[QtApprover], object]) -> tuple[Future[object], QDialog]:
        with self.qtbot.waitSignal(self.host.opened, timeout=5000) as opened:
            future = self.pool.submit(call, self.approver)
        dialog = opened.args[0]
        self.qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)
        return future, dialog

    def confirm(self, action: Click | RunShell | None = None) -> tuple[Future[object], ConfirmDialog]:
        action = action or Click(at=ImagePoint(x=660, y=360))
        future, dialog = self.ask(lambda a: a.confirm(action, CONFIRM, observation()))
        assert isinstance(dialog, ConfirmDialog)
        return future, dialog

    def result(self, future: Future[object]) -> object:
        self.qtbot.waitUntil(future.done, timeout=10_000)
        return future.result()


@pytest.fixture
def asker(qtbot: QtBot) -> Iterator[Asker]:
    asker = Asker(qtbot)
    yield asker
    asker.stop.set()
    asker.pool.shutdown(wait=True)


def test_shows_the_action_the_reason_and_a_crop_with_deny_as_default(asker: Asker) -> None:
    future, dialog = asker.confirm()
    what = dialog.findChild(QLabel, "what").text()
    # The point a person can find on the screen, not the model's image pixels (660, 360).
    assert "click at (963, 534)" in what and "660" not in what
    assert "it writes files" in dialog.findChild(QLabel, "reason").text()
    assert "could not be read" in dialog.findChild(QLabel, "found").text()  # nothing was found there
    crop = dialog.findChild(QLabel, "crop").pixmap()
    assert (crop.width(), crop.height()) == (420, 240)
    # The crop is centred on the target; the marker's arrow points at it from below.
    assert crop.toImage().pixelColor(210, 120 + 20).name() not in ("#ffffff", "#000080")
    assert dialog.deny.isDefault() and dialog.deny.hasFocus()
    assert not dialog.isModal()
    dialog.deny.click()
    assert asker.result(future) is UserAnswer.DENY


def test_the_headline_names_what_was_found_where_the_click_lands(asker: Asker) -> None:
    found = Verdict(
        level=Level.CONFIRM, reason="you asked to approve every action", found='"Send" (push button)'
    )
    action = Click(at=ImagePoint(x=660, y=360))
    future, dialog = asker.ask(lambda a: a.confirm(action, found, observation()))
    assert isinstance(dialog, ConfirmDialog)
    what = dialog.findChild(QLabel, "what").text()
    assert "click at (963, 534)" in what and "Send" in what and "push button" in what
    assert dialog.findChild(QLabel, "found") is None
    dialog.deny.click()
    assert asker.result(future) is UserAnswer.DENY


def test_allow_once_by_mouse(asker: Asker, qtbot: QtBot) -> None:
    future, dialog = asker.confirm()
    qtbot.mouseClick(dialog.allow_once, Qt.MouseButton.LeftButton)
    assert asker.result(future) is UserAnswer.ALLOW_ONCE


def test_allow_for_this_task_by_its_mnemonic(asker: Asker, qtbot: QtBot) -> None:
    future, dialog = asker.confirm()
    qtbot.keyClick(dialog, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)
    assert asker.result(future) is UserAnswer.ALLOW_FOR_TASK


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Escape])
def test_enter_and_escape_deny(asker: Asker, qtbot: QtBot, key: Qt.Key) -> None:
    future, dialog = asker.confirm()
    qtbot.keyClick(dialog.focusWidget(), key)
    assert asker.result(future) is UserAnswer.DENY


def test_tab_then_enter_presses_the_focused_button(asker: Asker, qtbot: QtBot) -> None:
    future, dialog = asker.confirm()
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)
    assert dialog.allow_once.hasFocus()
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)
    assert asker.result(future) is UserAnswer.ALLOW_ONCE


def test_closing_the_window_denies(asker: Asker) -> None:
    future, dialog = asker.confirm(RunShell(command="rm -r build"))
    assert dialog.findChild(QLabel, "crop") is None  # nothing to point at
    dialog.close()
    assert asker.result(future) is UserAnswer.DENY


def test_no_answer_before_the_timeout_denies(qtbot: QtBot) -> None:
    asker = Asker(qtbot, timeout_s=1)
    future, dialog = asker.confirm()
    assert "1 s" in dialog.countdown.text()
    assert asker.result(future) is UserAnswer.DENY
    qtbot.waitUntil(lambda: gone(dialog))
    asker.pool.shutdown()


def test_stop_while_the_dialog_is_open_denies_and_closes_it(asker: Asker, qtbot: QtBot) -> None:
    future, dialog = asker.confirm()
    asker.stop.set()
    assert asker.result(future) is UserAnswer.DENY
    qtbot.waitUntil(lambda: gone(dialog))


def test_the_session_shows_waiting_while_a_dialog_is_open(asker: Asker, qtbot: QtBot) -> None:
    states: list[bool] = []
    asker.host.waiting.connect(states.append)
    future, dialog = asker.confirm()
    dialog.deny.click()
    asker.result(future)
    assert states == [True, False]


@pytest.mark.desktop
@pytest.mark.parametrize(
    ("keys", "expected"), [("Return", UserAnswer.DENY), ("alt+o", UserAnswer.ALLOW_ONCE)]
)
def test_real_key_presses(asker: Asker, keys: str, expected: UserAnswer) -> None:
    future, dialog = asker.confirm()
    assert int(x("xdotool", "getactivewindow")) == int(dialog.winId())
    x("xdotool", "key", keys)
    assert asker.result(future) is expected


@pytest.mark.desktop
def test_a_real_click_and_the_focus_goes_back_to_the_app(
    asker: Asker, start_form: Callable[..., Form]
) -> None:
    form = start_form(place="bottom-left")
    app_window = int(form.window())
    poll(lambda: int(x("xdotool", "getactivewindow")) == app_window, 5, "the form to have focus")
    future, dialog = asker.confirm()
    assert int(x("xdotool", "getactivewindow")) == int(dialog.winId())
    button = dialog.allow_once
    centre = button.mapToGlobal(button.rect().center())
    x("xdotool", "mousemove", str(centre.x()), str(centre.y()), "click", "1")
    assert asker.result(future) is UserAnswer.ALLOW_ONCE
    assert int(x("xdotool", "getactivewindow")) == app_window  # before the action runs


def test_a_question_is_answered_in_words(asker: Asker, qtbot: QtBot) -> None:
    future, dialog = asker.ask(lambda a: a.answer("Which file?"))
    assert isinstance(dialog, QuestionDialog)
    assert dialog.findChild(QLabel, "question").text() == "Which file?"
    qtbot.keyClicks(dialog.entry, "notes.txt")
    qtbot.keyClick(dialog.entry, Qt.Key.Key_Return)
    assert asker.result(future) == "notes.txt"


def test_a_cancelled_question_has_no_answer(asker: Asker, qtbot: QtBot) -> None:
    future, dialog = asker.ask(lambda a: a.answer("Which file?"))
    qtbot.keyClicks(dialog.entry, "half typed")
    qtbot.keyClick(dialog.entry, Qt.Key.Key_Escape)
    assert asker.result(future) is None


def test_an_unanswered_question_times_out(qtbot: QtBot) -> None:
    asker = Asker(qtbot, timeout_s=1)
    future, dialog = asker.ask(lambda a: a.answer("Which file?"))
    assert asker.result(future) is None
    qtbot.waitUntil(lambda: gone(dialog))
    asker.pool.shutdown()
