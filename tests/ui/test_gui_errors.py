"""The tray app's error surfaces say what to do in the GUI's terms -- Settings > Model server,
not --host/OLLAMA_HOST -- with the same account of what went wrong as the CLI; no raw errno;
and no `curl ... | sh` advice for a server on another machine."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from deskhand.app.platform.hardware import GB, Accelerator
from deskhand.app.store.config import Settings
from deskhand.app.tray.controller import DeskhandApp
from deskhand.app.windows.first_run import FirstRunWizard
from tests.fakeollama import FakeOllama
from tests.fakeollama.fixtures import unused_port

pytestmark = [pytest.mark.desktop, pytest.mark.usefixtures("window_manager")]

MODEL = "qwen2.5vl:7b"
NOT_THERE = "http://gpu-box.invalid:11434"  # .invalid never resolves (RFC 6761)


@pytest.fixture
def app(qtbot: QtBot, settings_file: Callable[..., Path]) -> Iterator[DeskhandApp]:
    app = DeskhandApp()
    yield app
    app.shutdown()


def failure(qtbot: QtBot, app: DeskhandApp) -> str:
    with qtbot.waitSignal(app.task_ended, timeout=60_000) as ended:
        assert app.start_task("Open the report")
    message = ended.args[0]
    assert isinstance(message, str), message
    assert app.run_view.message.text() == f"Error: {message}\nOpen the command bar and press ↑ to retry."
    return message


def test_a_server_that_is_not_running(
    app: DeskhandApp, qtbot: QtBot, settings_file: Callable[..., Path]
) -> None:
    host = f"http://127.0.0.1:{unused_port()}"
    settings_file(host=host, model=MODEL)
    assert failure(qtbot, app) == (
        f"Tried to reach Ollama at {host}, but the connection was refused. Start it with "
        "`ollama serve` (or set the address in Settings > Model server)."
    )


def test_a_model_that_is_not_installed(
    app: DeskhandApp, qtbot: QtBot, settings_file: Callable[..., Path]
) -> None:
    with FakeOllama(models={"llama3.2:3b": False}) as server:
        settings_file(host=server.url, model=MODEL)
        assert failure(qtbot, app) == (
            f"Tried to use model {MODEL} on Ollama at {server.url}, but it is not installed there. "
            f"Get it with `ollama pull {MODEL}` (or pull it in Settings > Model server)."
        )


def test_a_host_name_that_does_not_resolve(
    app: DeskhandApp, qtbot: QtBot, settings_file: Callable[..., Path]
) -> None:
    settings_file(host=NOT_THERE, model=MODEL)
    assert failure(qtbot, app) == (
        f"Tried to send screenshots to the model server at {NOT_THERE}, but the name gpu-box.invalid "
        "does not resolve to an address (a typo, or a machine that is off or not on this network). "
        "Check the server's address."
    )


def test_the_first_run_wizard_gives_no_install_script_for_another_machine(
    qtbot: QtBot, settings_file: Callable[..., Path]
) -> None:
    gpu = Accelerator("nvidia", "NVIDIA GeForce RTX 3060", 12 * GB)
    wizard = FirstRunWizard(Settings(host=NOT_THERE), detect=lambda: gpu, system="linux")
    qtbot.addWidget(wizard)
    wizard.show()
    page = wizard.server
    qtbot.waitUntil(lambda: "does not resolve" in page.status.text(), timeout=15_000)
    assert page.status.text() == (
        f"Tried to reach Ollama at {NOT_THERE}, but the name gpu-box.invalid does not resolve to an "
        "address (a typo, or a machine that is off or not on this network). Check the address in "
        "Settings > Model server."
    )
    assert page.help.text() == (
        "gpu-box.invalid is another machine, so Ollama has to run there, not here. On gpu-box.invalid, "
        "start it so that it listens on the network (`OLLAMA_HOST=0.0.0.0 ollama serve`) and let its "
        "port through the firewall; then press Check again. Or enter the address of a server on this "
        "machine."
    )
    assert "curl" not in page.help.text() and "Errno" not in page.status.text()
