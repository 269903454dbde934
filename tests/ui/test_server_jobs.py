"""Server calls that outlive their window: closing or deleting the first-run wizard (or a
lone model widget) while a model list, a GPU probe or a pull is still running must neither
abort the process ("QThread: Destroyed while thread is still running") nor deliver the late
answer into the deleted widgets."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from deskhand.app.platform.hardware import GB, Accelerator
from deskhand.app.store.config import Settings
from deskhand.app.windows.first_run import FirstRunWizard
from deskhand.app.windows.model_widgets import (
    ModelPicker,
    ModelServer,
    ServerJob,
    ollama_server,
    server_jobs_running,
)
from deskhand.core.ports import ShouldStop
from deskhand.vision.ollama_model import ModelInfo, ProgressCallback
from tests.fakeollama import FakeOllama

GPU_12GB = Accelerator("nvidia", "NVIDIA GeForce RTX 3060", 12 * GB)


@pytest.fixture(autouse=True)
def private_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESKHAND_CONFIG", str(tmp_path / "config" / "config.toml"))
    monkeypatch.delenv("OLLAMA_HOST", raising=False)


class Gate:
    """Holds the model list (and the GPU probe) until the test opens it; counts who passed."""

    def __init__(self) -> None:
        self.open = threading.Event()
        self.waiting = threading.Semaphore(0)
        self.passed = threading.Semaphore(0)

    def hold(self) -> None:
        self.waiting.release()
        self.open.wait(20)

    def went_through(self, n: int, timeout: float = 20) -> bool:
        return all(self.passed.acquire(timeout=timeout) for _ in range(n))


class GatedServer:
    """The real Ollama client against the fake server, with ``list_models`` held at the gate."""

    def __init__(self, inner: ModelServer, gate: Gate) -> None:
        self._inner, self._gate = inner, gate

    def list_models(self) -> list[ModelInfo]:
        self._gate.hold()
        try:
            return self._inner.list_models()
        finally:
            self._gate.passed.release()

    def server_version(self) -> str:
        return self._inner.server_version()

    def pull(
        self, name: str, on_progress: ProgressCallback, *, should_stop: ShouldStop | None = None
    ) -> None:
        try:
            self._inner.pull(name, on_progress, should_stop=should_stop)
        finally:
            self._gate.passed.release()


@pytest.fixture
def server() -> Iterator[FakeOllama]:
    with FakeOllama(models={"qwen2.5vl:7b": True}) as fake:
        fake.set_latency(per_chunk_ms=150)  # a pull takes seconds
        yield fake


def gated_wizard(server: FakeOllama, gate: Gate) -> FirstRunWizard:
    def detect() -> Accelerator:
        gate.hold()
        gate.passed.release()
        return GPU_12GB

    return FirstRunWizard(
        Settings(host=server.url),
        server_factory=lambda host: GatedServer(ollama_server(host), gate),
        detect=detect,
        system="linux",
    )


def to_model_page(qtbot: QtBot, wizard: FirstRunWizard, gate: Gate) -> None:
    wizard.show()
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    qtbot.waitUntil(next_button.isEnabled, timeout=10_000)
    wizard.next()
    assert wizard.currentPage() is wizard.models
    for _ in range(2):  # the GPU probe and the model list are both under way, held
        assert gate.waiting.acquire(timeout=10)


def delete_now(qtbot: QtBot, widget: QObject) -> None:
    """What a window's owner does at worst: drop it at once, then let Qt and Python tidy up."""
    shiboken6.delete(widget)
    QCoreApplication.processEvents()
    gc.collect()
    qtbot.wait(50)  # stays: a while for late signals to reach the deleted widget, as they would


def let_jobs_end(qtbot: QtBot, gate: Gate, n: int) -> None:
    gate.open.set()
    assert gate.went_through(n), "the server calls never ended"
    qtbot.waitUntil(lambda: server_jobs_running() == 0, timeout=10_000)
    qtbot.wait(100)  # stays: late answers, if any, are delivered in this while
    gc.collect()
    QCoreApplication.processEvents()


def test_closing_and_deleting_the_wizard_while_models_load(qtbot: QtBot, server: FakeOllama) -> None:
    gate = Gate()
    wizard = gated_wizard(server, gate)
    to_model_page(qtbot, wizard, gate)
    assert server_jobs_running() == 2
    assert wizard.findChildren(QThread) == []  # no window owns a thread, running or ending
    wizard.close()
    delete_now(qtbot, wizard)
    let_jobs_end(qtbot, gate, 2)
    assert any(r.path == "/api/tags" for r in server.requests)


def test_deleting_a_hidden_wizard_while_models_load(qtbot: QtBot, server: FakeOllama) -> None:
    gate = Gate()
    wizard = gated_wizard(server, gate)
    to_model_page(qtbot, wizard, gate)
    wizard.hide()  # hidden (e.g. while a screenshot is taken): close() would not reach done()
    delete_now(qtbot, wizard)
    let_jobs_end(qtbot, gate, 2)


def test_closing_and_deleting_the_wizard_mid_pull(qtbot: QtBot, server: FakeOllama) -> None:
    gate = Gate()
    gate.open.set()
    wizard = gated_wizard(server, gate)
    to_model_page(qtbot, wizard, gate)
    assert gate.went_through(2)
    page = wizard.models
    qtbot.waitUntil(page.picker.refresh_button.isEnabled, timeout=10_000)
    page.pull.name.setText("qwen2.5vl:3b")
    qtbot.mouseClick(page.pull.pull_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: " GB" in page.pull.status.text(), timeout=10_000)  # bytes are flowing
    wizard.close()
    delete_now(qtbot, wizard)
    let_jobs_end(qtbot, gate, 1)
    assert server.models.get("qwen2.5vl:3b") is None  # the pull was cancelled, not finished


def test_deleting_a_model_picker_while_it_loads(qtbot: QtBot, server: FakeOllama) -> None:
    gate = Gate()
    picker = ModelPicker(lambda host: GatedServer(ollama_server(host), gate))
    picker.refresh(server.url)
    assert gate.waiting.acquire(timeout=10)
    delete_now(qtbot, picker)
    let_jobs_end(qtbot, gate, 1)


def held_work(gate: Gate, stopped: threading.Event) -> Callable[[ProgressCallback, ShouldStop], object]:
    """A call that waits at the gate, then notes whether it was told to stop."""

    def work(_report: ProgressCallback, should_stop: ShouldStop) -> object:
        gate.hold()
        if should_stop():
            stopped.set()
        gate.passed.release()
        return "late"

    return work


def test_a_deleted_job_is_cancelled_and_its_late_answer_dropped(qtbot: QtBot) -> None:
    gate, stopped, answers = Gate(), threading.Event(), list[object]()
    job = ServerJob(held_work(gate, stopped))
    job.succeeded.connect(answers.append)
    job.start()
    assert gate.waiting.acquire(timeout=10)
    assert job.isRunning()
    delete_now(qtbot, job)
    let_jobs_end(qtbot, gate, 1)
    assert stopped.is_set() and answers == []


def test_a_detached_job_is_cancelled_and_reports_nothing(qtbot: QtBot) -> None:
    gate, stopped, answers = Gate(), threading.Event(), list[object]()
    job = ServerJob(held_work(gate, stopped))
    job.succeeded.connect(answers.append)
    job.start()
    assert gate.waiting.acquire(timeout=10)
    job.detach()
    let_jobs_end(qtbot, gate, 1)
    assert stopped.is_set() and answers == []
    assert not job.isRunning() and job.wait(0)


def test_a_job_that_ends_reports_and_its_thread_goes(qtbot: QtBot, qapp: QCoreApplication) -> None:
    gate, stopped = Gate(), threading.Event()
    gate.open.set()
    threads = len(qapp.findChildren(QThread))
    job = ServerJob(held_work(gate, stopped))
    with qtbot.waitSignal(job.succeeded) as answer:
        job.start()
        assert len(qapp.findChildren(QThread)) == threads + 1  # the application's, not the job's
    assert answer.args == ["late"] and not stopped.is_set()
    assert job.wait(5_000)
    qtbot.waitUntil(lambda: len(qapp.findChildren(QThread)) == threads, timeout=5_000)  # deleted
