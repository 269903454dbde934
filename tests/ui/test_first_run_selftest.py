"""The grounding self-test end to end on the X display: our full-screen board, the real loop
(build_parts + run_task, real capture and real clicks) and the fake Ollama, which finds each
button by OCR on the screenshot it was sent -- a truthful oracle, so 100 % is expected."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton, QWizard
from pytestqt.qtbot import QtBot

from deskhand.app.platform.hardware import Accelerator
from deskhand.app.store.config import Settings
from deskhand.app.tray.self_test import LABELS, SelfTestReport
from deskhand.app.windows.button_board import SelfTestRun
from deskhand.app.windows.first_run import FirstRunWizard
from deskhand.app.windows.first_run_pages import SelfTestPage
from tests.fakeollama import FakeOllama

# A desktop has a window manager: the shared session fixture (tests/ui/conftest.py) starts openbox.
pytestmark = [pytest.mark.desktop, pytest.mark.usefixtures("window_manager")]


def run_to_end(qtbot: QtBot, run: SelfTestRun) -> SelfTestReport:
    """Start ``run`` and wait for whichever of its two end signals comes; fail with its message."""
    ends: list[object] = []
    run.finished.connect(ends.append)
    run.failed.connect(ends.append)
    run.start()
    qtbot.waitUntil(lambda: bool(ends), timeout=150_000)
    assert isinstance(ends[0], SelfTestReport), ends[0]
    return ends[0]


def click_script(labels: list[str]) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = []
    for label in labels:
        steps += [{"do": "click", "target": label}, {"do": "finish", "summary": f"Clicked {label}."}]
    return steps


@pytest.mark.parametrize("model", ["qwen2.5vl:7b", "ui-tars-1.5:7b"])
def test_every_click_lands_for_each_dialect(qtbot: QtBot, model: str) -> None:
    with FakeOllama(models={model: True}) as server:
        server.script(click_script(list(LABELS)))
        run = SelfTestRun(Settings(), host=server.url, model=model)
        progress: list[tuple[int, int, str]] = []
        run.progressed.connect(lambda i, n, label: progress.append((i, n, label)))
        report = run_to_end(qtbot, run)
        assert report.summary().startswith("6 of 6 clicks landed"), [
            (r.label, r.status, r.clicked_at) for r in report.results
        ]
        assert [r.label for r in report.results] == list(LABELS)
        assert all(r.status == "finished" for r in report.results)
        assert report.median_error_px is not None and report.median_error_px < 12
        assert all(r.model_ms for r in report.results)  # per-step model time was measured
        assert [p[2] for p in progress] == list(LABELS) and progress[0][1] == 6
        assert server.remaining_steps == 0
        # Each request named the button and carried a screenshot the model could read.
        texts = [str(r.messages) for r in server.chat_requests[::2]]
        assert all(f"Click the {label} button" in t for label, t in zip(LABELS, texts, strict=True))
        assert not run.board.isVisible()


def test_a_wrong_click_is_reported_as_a_miss(qtbot: QtBot) -> None:
    """Through the wizard's page: the model clicks Orange when asked for Cherry."""
    model = "qwen2.5vl:7b"
    with FakeOllama(models={model: True}) as server:
        labels = list(LABELS)
        wrong = [*labels[:2], "Orange", *labels[3:]]
        server.script(click_script(wrong))
        page = SelfTestPage(lambda: Settings(host=server.url, model=model))
        qtbot.addWidget(page)
        page.show()
        qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: page.run is None, timeout=150_000)  # ended, either way
        report = page.report
        assert report is not None, page.status.text()
        assert report.hits == 5
        cherry = report.results[2]
        assert (cherry.label, cherry.hit) == ("Cherry", False)
        assert cherry.error_px is not None and cherry.error_px > 100
        assert page.status.text().startswith("Failed: 5 of 6 clicks landed")
        assert "try a larger model" in page.status.text()
        assert "Cherry: missed" in page.details.text()
        assert page.start_button.isEnabled()


def test_a_server_that_is_down_fails_with_its_message(qtbot: QtBot) -> None:
    from tests.fakeollama.fixtures import unused_port

    host = f"http://127.0.0.1:{unused_port()}"
    run = SelfTestRun(Settings(), host=host, model="qwen2.5vl:7b")
    with qtbot.waitSignal(run.failed, timeout=30_000) as failed:
        run.start()
    assert failed.args[0].startswith(f"Tried to reach Ollama at {host}, but the connection was refused")
    assert not run.board.isVisible()


def test_after_a_passed_self_test_enter_finishes(qtbot: QtBot, tmp_path: Path) -> None:
    """The result reads "Passed", and the focus is on Finish (the default), not on "< Back"."""
    model = "qwen2.5vl:7b"
    with FakeOllama(models={model: True}) as server:
        server.script(click_script(list(LABELS)))
        wizard = FirstRunWizard(
            Settings(host=server.url, model=model),
            path=tmp_path / "config.toml",
            detect=lambda: Accelerator("cpu", "CPU", 0),
        )
        qtbot.addWidget(wizard)
        wizard.show()
        next_button = wizard.button(QWizard.WizardButton.NextButton)
        qtbot.waitUntil(next_button.isEnabled, timeout=10_000)
        wizard.next()
        qtbot.waitUntil(lambda: wizard.models.model() == model, timeout=10_000)
        wizard.next()
        page = wizard.self_test
        qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: page.run is None, timeout=150_000)
        assert page.status.text().startswith("Passed: 6 of 6 clicks landed"), page.status.text()
        wizard.activateWindow()
        qtbot.waitUntil(wizard.isActiveWindow)
        finish = wizard.button(QWizard.WizardButton.FinishButton)
        assert isinstance(finish, QPushButton) and finish.isDefault()
        assert QApplication.focusWidget() is finish
        with qtbot.waitSignal(wizard.completed, timeout=5000):
            qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
        assert (tmp_path / "config.toml").exists()
