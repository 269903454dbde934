"""The tray app runs real tasks: real wiring, the fake Ollama over HTTP, a real Qt form.

The fake model OCRs the screenshot it receives to find its target, so a test that passes
also shows the screenshot was right -- and, with the stop bar parked over the button,
that our own windows were not in it.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path

import mss
import pytest
from PIL import Image, ImageChops
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from deskhand.app.store.audit_database import default_path
from deskhand.app.store.audit_log import AuditLog
from deskhand.app.tray.controller import DeskhandApp
from deskhand.app.tray.session import AgentState
from deskhand.app.windows.stop_bar import STOP_RED
from deskhand.core.loop import TaskResult, TaskStatus
from tests.fakeollama import FakeOllama
from tests.ui.conftest import Form

pytestmark = [pytest.mark.desktop, pytest.mark.usefixtures("window_manager")]

RED = tuple(int(STOP_RED[i : i + 2], 16) for i in (1, 3, 5))


def run(qtbot: QtBot, app: DeskhandApp, task: str, timeout: int = 60_000) -> object:
    with qtbot.waitSignal(app.task_ended, timeout=timeout) as ended:
        assert app.start_task(task)
    return ended.args[0]


def red_pixels(image: Image.Image) -> int:
    """Pixels close to the stop button's red (JPEG shifts colours a little)."""
    bands = [
        band.point(lambda v, c=c: 255 if abs(v - c) < 40 else 0)
        for band, c in zip(image.convert("RGB").split(), RED, strict=True)
    ]
    mask = ImageChops.multiply(ImageChops.multiply(bands[0], bands[1]), bands[2])
    return mask.histogram()[255]


def grab(top_left: QPoint, size: int) -> Image.Image:
    with mss.MSS() as sct:
        shot = sct.grab({"left": top_left.x(), "top": top_left.y(), "width": size, "height": size})
    return Image.frombytes("RGB", shot.size, shot.rgb)


def test_a_task_clicks_the_form_and_is_audited(
    app: DeskhandApp, qtbot: QtBot, ollama: FakeOllama, start_form: Callable[..., Form]
) -> None:
    form = start_form()
    ollama.script([{"do": "click", "target": "Apply"}, {"do": "finish", "summary": "Clicked Apply."}])
    result = run(qtbot, app, "Click Apply")
    assert isinstance(result, TaskResult) and result.status is TaskStatus.FINISHED, result
    clicks = form.events("click")
    assert [c["button"] for c in clicks] == ["Apply"]
    x, y, w, h = clicks[0]["rect"]  # type: ignore[misc]
    assert x <= clicks[0]["x"] < x + w and y <= clicks[0]["y"] < y + h  # type: ignore[operator]
    assert app.session.state is AgentState.IDLE
    assert app.session.recent.items[0] == "Click Apply"
    assert not app.stop_bar.isVisible()
    audit = AuditLog(default_path())
    try:
        task = audit.tasks()[0]
        assert (task.task, task.status, task.steps) == ("Click Apply", "finished", 2)
        steps = audit.steps(task.id)
        assert steps[0].record.to_json_dict()["actions"][0]["kind"] == "click"
        assert steps[0].screenshot[:2] == b"\xff\xd8"
    finally:
        audit.close()
    assert "capture" in app.run_view.timings.text()
    assert "Clicked Apply." in app.run_view.message.text()


def test_our_windows_are_never_in_the_screenshot_nor_in_the_pointer_s_way(
    app: DeskhandApp, qtbot: QtBot, ollama: FakeOllama, start_form: Callable[..., Form]
) -> None:
    form = start_form()
    ollama.script([{"do": "click", "target": "Apply"}, {"do": "finish"}])
    run(qtbot, app, "Click Apply")
    apply = form.events("click")[0]["rect"]
    centre = QPoint(apply[0] + apply[2] // 2, apply[1] + apply[3] // 2)  # type: ignore[index]
    ollama.clear_requests()
    ollama.script(
        [
            {"do": "click", "target": "Apply"},
            {"do": "hang", "seconds": 6, "then": {"do": "finish", "summary": "Clicked Apply again."}},
        ]
    )
    with qtbot.waitSignal(app.task_ended, timeout=60_000) as ended:
        assert app.start_task("Click Apply again")
        # Park the stop bar right on the button before the worker's first capture (which
        # needs this thread to hide our windows, so it cannot happen before we return).
        bar = app.stop_bar
        bar.move(centre - QPoint(bar.width() - 40, bar.height() // 2))
        # While the model "thinks" about step 2, the user does see the stop bar.  Shown is
        # not painted: the X server draws it a moment after the map, so poll the pixels.
        qtbot.waitUntil(lambda: len(ollama.chat_requests) == 2, timeout=30_000)
        qtbot.waitUntil(lambda: red_pixels(grab(centre - QPoint(20, 10), 10)) > 50, timeout=4000)
    assert isinstance(ended.args[0], TaskResult) and ended.args[0].status is TaskStatus.FINISHED
    assert [c["button"] for c in form.events("click")] == ["Apply", "Apply"]  # not our Stop
    for request in ollama.chat_requests:
        image = Image.open(io.BytesIO(request.images[-1]))
        assert red_pixels(image) == 0
    assert app.session.result is not None and app.session.result.steps == 2


def test_a_model_error_pauses_the_task_and_it_resumes_when_the_server_answers(
    app: DeskhandApp, qtbot: QtBot, ollama: FakeOllama
) -> None:
    seen: list[tuple[AgentState, str]] = []
    app.session.subscribe(lambda: seen.append((app.session.state, app.session.status_text())))
    ollama.script([
        {"do": "error", "status": 500, "message": "out of memory"},
        {"do": "finish", "summary": "Opened."},
    ])  # fmt: skip
    result = run(qtbot, app, "Open the report")
    assert isinstance(result, TaskResult) and result.status is TaskStatus.FINISHED, result
    paused = [text for state, text in seen if state is AgentState.PAUSED]
    assert paused and "out of memory" in paused[0] and "Retrying" in paused[0]
    assert seen.index((AgentState.PAUSED, paused[0])) < len(seen) - 1  # and it went on after
    assert len(ollama.chat_requests) == 2 and app.session.state is AgentState.IDLE


def test_stop_ends_a_paused_task_at_once(app: DeskhandApp, qtbot: QtBot, ollama: FakeOllama) -> None:
    ollama.script([{"do": "error", "status": 503, "message": "loading model"} for _ in range(30)])
    with qtbot.waitSignal(app.task_ended, timeout=60_000) as ended:
        assert app.start_task("Open the report")
        qtbot.waitUntil(lambda: app.session.state is AgentState.PAUSED, timeout=30_000)
        assert "loading model" in app.run_view.status.text() and app.run_view.status.isVisibleTo(app.run_view)
        assert "loading model" in app.stop_bar.status.toolTip()
        assert not app.stop_bar.status.text().startswith("Step 1: paused. Paused")  # said once
        assert app.stop_bar.isVisible()
        qtbot.mouseClick(app.stop_bar.stop, Qt.MouseButton.LeftButton)
    assert isinstance(ended.args[0], TaskResult) and ended.args[0].status is TaskStatus.STOPPED


def test_an_unreachable_server_is_an_error_and_the_task_is_one_up_arrow_from_a_retry(
    app: DeskhandApp, qtbot: QtBot, ollama: FakeOllama, settings_file: Callable[..., object]
) -> None:
    settings_file(host="http://127.0.0.1:9", model="qwen2.5vl:7b")
    message = run(qtbot, app, "Open the report")
    assert isinstance(message, str) and "127.0.0.1:9" in message
    assert app.session.state is AgentState.ERROR
    assert "127.0.0.1:9" in app.run_view.message.text()
    qtbot.waitUntil(app.run_view.isVisible)
    settings_file(host=ollama.url, model="qwen2.5vl:7b", settle_cap=0.5)  # the user starts Ollama
    ollama.script([{"do": "finish", "summary": "Opened."}])
    app.open_command_bar()
    bar = app.command_bar
    qtbot.waitUntil(bar.isVisible)
    assert "Last task failed" in bar.message.text()
    qtbot.keyClick(bar.entry, Qt.Key.Key_Up)
    assert bar.entry.text() == "Open the report"
    with qtbot.waitSignal(app.task_ended, timeout=60_000) as ended:
        qtbot.keyClick(bar.entry, Qt.Key.Key_Return)
    assert isinstance(ended.args[0], TaskResult) and ended.args[0].status is TaskStatus.FINISHED
    assert app.session.state is AgentState.IDLE


def test_a_confirmation_in_the_app_blocks_only_the_worker(
    app: DeskhandApp, qtbot: QtBot, ollama: FakeOllama, tmp_path: Path
) -> None:
    target = tmp_path / "never"
    ollama.script([{"do": "shell", "command": f"touch {target}"}, {"do": "finish"}])
    with qtbot.waitSignal(app.dialogs.opened, timeout=30_000) as opened:
        app.start_task("Make a file")
    dialog = opened.args[0]
    qtbot.waitUntil(lambda: app.session.state is AgentState.WAITING)
    assert app.stop_bar.isVisible()  # the GUI thread is free: it renders and reacts
    with qtbot.waitSignal(app.task_ended, timeout=30_000) as ended:
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Escape)
    assert isinstance(ended.args[0], TaskResult) and ended.args[0].status is TaskStatus.FINISHED
    assert not target.exists()
    assert "denied" in str(ollama.chat_requests[1].messages).lower()


def test_a_task_is_refused_while_another_holds_the_desktop(
    app: DeskhandApp, qtbot: QtBot, ollama: FakeOllama
) -> None:
    from deskhand.app.platform.task_lock import desktop_lock

    ollama.script([{"do": "finish", "summary": "Done."}])
    with desktop_lock("deskhand do"):
        message = run(qtbot, app, "Open the report")
    assert isinstance(message, str), message
    assert f"another task is running on this desktop (deskhand do, pid {os.getpid()})" in message
    assert app.session.state is AgentState.ERROR
    assert ollama.chat_requests == []
    result = run(qtbot, app, "Open the report")  # the desktop is free again
    assert isinstance(result, TaskResult) and result.status is TaskStatus.FINISHED, result
