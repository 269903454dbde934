"""The first-run wizard against the fake Ollama: server found or how to install it, the GPU →
model recommendation, pulling it with progress, and Finish saving host and model."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QWizard
from pytestqt.qtbot import QtBot

from deskhand.app.platform.hardware import GB, Accelerator
from deskhand.app.store.config import Settings, load_settings
from deskhand.app.tray.controller import DeskhandApp
from deskhand.app.windows.first_run import FirstRunWizard
from deskhand.app.windows.ollama_help import install_instructions
from tests.fakeollama import FakeOllama
from tests.fakeollama.fixtures import unused_port

pytestmark = pytest.mark.usefixtures("private_config")

GPU_12GB = Accelerator("nvidia", "NVIDIA GeForce RTX 3060", 12 * GB)


@pytest.fixture
def server() -> Iterator[FakeOllama]:
    with FakeOllama(models={"llama3.2:3b": False}) as fake:
        fake.set_latency(per_chunk_ms=5)
        yield fake


def open_wizard(
    qtbot: QtBot, host: str, accelerator: Accelerator = GPU_12GB, system: str = "linux"
) -> FirstRunWizard:
    wizard = FirstRunWizard(Settings(host=host), detect=lambda: accelerator, system=system)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def next_enabled(wizard: FirstRunWizard) -> bool:
    return wizard.button(QWizard.WizardButton.NextButton).isEnabled()


def test_no_server_shows_how_to_install_and_start_it(qtbot: QtBot) -> None:
    host = f"http://127.0.0.1:{unused_port()}"
    wizard = open_wizard(qtbot, host)
    page = wizard.server
    qtbot.waitUntil(lambda: "connection was refused" in page.status.text(), timeout=10_000)
    assert page.status.text().startswith(f"Tried to reach Ollama at {host}")
    assert not page.help.isHidden()
    assert "curl -fsSL https://ollama.com/install.sh | sh" in page.help.text()
    assert "ollama serve" in page.help.text()
    assert not next_enabled(wizard)


@pytest.mark.parametrize("system", ["darwin", "win32"])
def test_macos_and_windows_get_the_download_page(system: str) -> None:
    text = install_instructions(system)
    assert "https://ollama.com/download" in text and "ollama serve" in text
    assert "curl" not in text


def test_check_again_finds_a_server_that_was_started(qtbot: QtBot, server: FakeOllama) -> None:
    wizard = open_wizard(qtbot, f"http://127.0.0.1:{unused_port()}")
    page = wizard.server
    qtbot.waitUntil(lambda: "refused" in page.status.text(), timeout=10_000)
    page.host.setText(server.url)
    qtbot.mouseClick(page.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.status.text() == f"Found Ollama 0.12.6 at {server.url}.", timeout=10_000)
    assert page.help.isHidden()
    assert next_enabled(wizard)


def test_recommend_pull_and_finish(qtbot: QtBot, server: FakeOllama, private_config: Path) -> None:
    wizard = open_wizard(qtbot, server.url)
    qtbot.waitUntil(lambda: next_enabled(wizard), timeout=10_000)
    wizard.next()
    page = wizard.models
    qtbot.waitUntil(lambda: page.advice.text() != "", timeout=10_000)
    assert page.hardware.text() == "NVIDIA GeForce RTX 3060: 12.0 GB of GPU memory."
    assert page.advice.text().startswith("Recommended: qwen2.5vl:7b (or qwen3-vl:8b), a 6 GB download")
    assert page.pull.name.text() == "qwen2.5vl:7b"
    qtbot.waitUntil(lambda: page.picker.refresh_button.isEnabled(), timeout=10_000)
    assert not next_enabled(wizard)  # no vision model yet
    with qtbot.waitSignal(page.pull.pulled, timeout=15_000):
        qtbot.mouseClick(page.pull.pull_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.model() == "qwen2.5vl:7b", timeout=10_000)
    assert next_enabled(wizard)
    wizard.next()
    assert wizard.currentPage() is wizard.self_test
    with qtbot.waitSignal(wizard.completed) as completed:
        wizard.accept()
    saved = load_settings()
    assert completed.args == [saved]
    assert (saved.host, saved.model) == (server.url, "qwen2.5vl:7b")
    assert private_config.exists()


def test_an_installed_recommendation_is_chosen_at_once(qtbot: QtBot) -> None:
    with FakeOllama(models={"qwen2.5vl:3b": True, "qwen2.5vl:7b": True}) as server:
        cpu = Accelerator("cpu", "CPU", 0)
        wizard = open_wizard(qtbot, server.url, accelerator=cpu)
        qtbot.waitUntil(lambda: next_enabled(wizard), timeout=10_000)
        wizard.next()
        page = wizard.models
        qtbot.waitUntil(lambda: page.model() == "qwen2.5vl:3b", timeout=10_000)
        assert page.hardware.text().startswith("No GPU found")
        assert next_enabled(wizard)


def test_enter_in_the_host_field_checks_that_address(qtbot: QtBot, server: FakeOllama) -> None:
    wizard = open_wizard(qtbot, f"http://127.0.0.1:{unused_port()}")
    page = wizard.server
    qtbot.waitUntil(lambda: "refused" in page.status.text(), timeout=10_000)
    page.host.setFocus()
    page.host.selectAll()
    qtbot.keyClicks(page.host, server.url)
    assert not next_enabled(wizard)
    qtbot.keyClick(page.host, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.status.text() == f"Found Ollama 0.12.6 at {server.url}.", timeout=10_000)
    assert wizard.currentPage() is page and next_enabled(wizard)
    qtbot.keyClick(page.host, Qt.Key.Key_Return)  # the address was found: Enter goes on
    assert wizard.currentPage() is wizard.models


def test_the_model_page_names_one_model_and_counts_in_words(qtbot: QtBot) -> None:
    """A small GPU gets qwen2.5vl:3b: the empty list suggests the same model, not the 7B."""
    small = Accelerator("nvidia", "NVIDIA GeForce GTX 1650", 4 * GB)
    with FakeOllama(models={"llama3.2:3b": False}) as server:
        wizard = open_wizard(qtbot, server.url, accelerator=small)
        qtbot.waitUntil(lambda: next_enabled(wizard), timeout=10_000)
        wizard.next()
        page = wizard.models
        qtbot.waitUntil(lambda: page.advice.text().startswith("Recommended: qwen2.5vl:3b"), timeout=10_000)
        qtbot.waitUntil(lambda: page.picker.refresh_button.isEnabled(), timeout=10_000)
        status = page.picker.status.text()
        assert "e.g. qwen2.5vl:3b" in status and "7b" not in status, status
        server.models.install("qwen2.5vl:3b", server.models.in_library("qwen2.5vl:3b"))
        page.picker.refresh(server.url)
        qtbot.waitUntil(lambda: page.picker.refresh_button.isEnabled(), timeout=10_000)
        assert page.picker.status.text() == f"1 vision model on {server.url} (1 without vision hidden)."


def test_pulling_shows_speed_and_time_left_not_layer_digests(qtbot: QtBot, server: FakeOllama) -> None:
    server.set_latency(per_chunk_ms=80)
    wizard = open_wizard(qtbot, server.url)
    qtbot.waitUntil(lambda: next_enabled(wizard), timeout=10_000)
    wizard.next()
    page = wizard.models
    qtbot.waitUntil(lambda: page.pull.name.text() == "qwen2.5vl:7b", timeout=10_000)
    seen: list[str] = []

    def speed_shown() -> bool:
        seen.append(page.pull.status.text())
        return " MB/s · about " in seen[-1]

    qtbot.mouseClick(page.pull.pull_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(speed_shown, timeout=15_000)
    assert re.fullmatch(
        r"Downloading: \d+\.\d of \d+\.\d GB · [\d.]+ MB/s · about [\d.]+ (s|min \d\d s) left", seen[-1]
    )
    qtbot.waitUntil(lambda: page.pull.status.text() == "Pulled qwen2.5vl:7b.", timeout=15_000)
    assert not [text for text in seen if re.search(r"\b[0-9a-f]{12}\b", text)], seen


def test_finish_says_how_to_give_the_first_task(
    qtbot: QtBot, server: FakeOllama, private_config: Path
) -> None:
    """Through the app's door: the wizard's Finish leaves the command bar open with the hint."""
    app = DeskhandApp()
    notices: list[tuple[str, str, bool]] = []
    app.notify = lambda *n: notices.append(n)
    try:
        app.open_window("first_run")
        wizard = app.other_windows.opened["first_run"]
        assert isinstance(wizard, FirstRunWizard)
        wizard.server.host.setText(server.url)
        wizard.server.check()
        qtbot.waitUntil(lambda: next_enabled(wizard), timeout=10_000)
        server.models.install("qwen2.5vl:7b", server.models.in_library("qwen2.5vl:7b"))
        wizard.next()
        qtbot.waitUntil(lambda: wizard.models.model() is not None, timeout=10_000)
        wizard.next()
        assert "After Finish, press Ctrl+Alt+Space" in wizard.self_test.after.text()
        finish = wizard.button(QWizard.WizardButton.FinishButton)
        assert isinstance(finish, QPushButton) and finish.isDefault()
        qtbot.mouseClick(finish, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(app.command_bar.isVisible, timeout=5000)
        assert "press Ctrl+Alt+Space any time" in app.command_bar.message.text()
        assert ("Deskhand is ready", "Press Ctrl+Alt+Space to give it a task.", False) in notices
        assert load_settings().model == "qwen2.5vl:7b"
    finally:
        app.shutdown()


def test_a_planner_is_offered_only_where_the_pair_fits(qtbot: QtBot, server: FakeOllama) -> None:
    card16 = Accelerator("nvidia", "NVIDIA GeForce RTX 4060 Ti", 16 * GB)
    wizard = open_wizard(qtbot, server.url, accelerator=card16)
    qtbot.waitUntil(lambda: next_enabled(wizard), timeout=10_000)
    wizard.next()
    page = wizard.models
    qtbot.waitUntil(lambda: page.advice.text().startswith("Recommended: qwen2.5vl:7b"), timeout=10_000)
    assert "room for a planner beside it: qwen3:4b (2.5 GB)" in page.advice.text()
    assert 'planner_model = "qwen3:4b"' in page.advice.text()
    page._detected(GPU_12GB)  # the same page on a 12 GB card: the pair would not fit cleanly
    assert "planner" not in page.advice.text()
