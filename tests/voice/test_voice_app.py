"""Voice in the tray app, end to end: a FileSource stands in for the microphone.

Everything else is real: the app's wiring, the fake Ollama server over HTTP, the worker
thread, the confirmation dialog, the command bar, X11 key grabs (xdotool presses them).
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot

from deskhand.app.store.config import load_settings
from deskhand.app.tray.controller import DeskhandApp
from deskhand.app.tray.session import AgentState
from deskhand.core.loop import TaskResult, TaskStatus
from deskhand.voice.audio import FileSource
from deskhand.voice.listening import Heard
from deskhand.voice.microphone import microphone_status
from deskhand.voice.vad import EndReason
from tests.fakeollama import FakeOllama
from tests.ui.conftest import MODEL
from tests.voice.speech import Speech

pytestmark = [pytest.mark.desktop, pytest.mark.usefixtures("window_manager")]

# How long a test waits for the recognizer to report: a deadline, not a wait (the signal ends it at
# once). Generous because loading and decoding starve on a loaded 2-core CI machine.
HEARD_MS = 60_000


class Mic:
    """A microphone made of files: each listening session opens the next file, in real time."""

    def __init__(self, *paths: Path) -> None:
        self.paths = list(paths)
        self.opened = 0

    def __call__(self) -> FileSource:
        path = self.paths[min(self.opened, len(self.paths) - 1)]
        self.opened += 1
        return FileSource(path, realtime=True, trailing_silence_s=None)


@pytest.fixture
def make_app(
    qtbot: QtBot, ollama: FakeOllama, settings_file: Callable[..., Path]
) -> Iterator[Callable[..., DeskhandApp]]:
    apps: list[DeskhandApp] = []
    notices: list[tuple[str, str, bool]] = []

    def make(mic: Mic | None, **settings: object) -> DeskhandApp:
        settings_file(host=ollama.url, model=MODEL, settle_cap=0.5, recognizer="pocketsphinx", **settings)
        app = DeskhandApp(voice_source=mic)
        app.notify = lambda *n: notices.append(n)
        app.notices = notices  # type: ignore[attr-defined]
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.shutdown()


def run_until_end(
    qtbot: QtBot, app: DeskhandApp, start: Callable[[], object], timeout: int = 40_000
) -> object:
    with qtbot.waitSignal(app.task_ended, timeout=timeout) as ended:
        start()
    return ended.args[0]


def test_a_spoken_task_goes_through_the_command_bar_and_runs(
    make_app: Callable[..., DeskhandApp], qtbot: QtBot, ollama: FakeOllama, speech: Speech
) -> None:
    mic = Mic(speech.say("click apply", speed=150, lead_s=0.4, tail_s=0.5).path)
    app = make_app(mic, voice_review_seconds=1)
    ollama.script([{"do": "finish", "summary": "Done."}])
    levels: list[float] = []
    app.voice.level.connect(levels.append)
    bar = app.command_bar
    app.open_command_bar()
    qtbot.waitUntil(bar.isVisible)
    with qtbot.waitSignal(app.voice.heard, timeout=HEARD_MS) as heard:
        qtbot.mouseClick(bar.mic, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(bar.meter.isVisible, timeout=3000)
    result: Heard = heard.args[0]
    assert result.ended_by is EndReason.SILENCE and result.text
    assert max(levels) > -40 and not bar.meter.isVisible()
    assert bar.entry.text() == result.text and "Runs in 1 s" in bar.message.text()
    outcome = run_until_end(qtbot, app, lambda: None)  # the countdown runs it
    assert isinstance(outcome, TaskResult) and outcome.status is TaskStatus.FINISHED
    assert app.session.recent.items[0] == result.text
    assert result.text in str(ollama.chat_requests[0].messages)
    assert "apply" in result.text or "click" in result.text, result.text


def test_hold_to_talk_on_the_global_hotkey_ends_on_release_and_escape_cancels(
    make_app: Callable[..., DeskhandApp], qtbot: QtBot, ollama: FakeOllama, speech: Speech
) -> None:
    mic = Mic(
        speech.say("open the terminal and then type hello world and save it", lead_s=0.3, tail_s=2).path
    )
    app = make_app(mic, voice_review_seconds=5)
    levels: list[float] = []
    app.voice.level.connect(levels.append)
    assert app.bind_hotkeys(load_settings()) == []
    assert app.voice.key.reports_release
    with qtbot.waitSignal(app.voice.heard, timeout=HEARD_MS) as heard:
        subprocess.run(["xdotool", "keydown", "ctrl+alt+v"], check=True)
        qtbot.waitUntil(app.command_bar.meter.isVisible, timeout=5000)
        # The person talks while holding the key: let go once the words have reached the
        # recording (a loaded machine can deliver the file's audio late), then after 1.5 s more.
        qtbot.waitUntil(lambda: bool(levels) and max(levels) > -40, timeout=10_000)
        qtbot.wait(1500)  # talking, key held
        subprocess.run(["xdotool", "keyup", "v", "alt", "ctrl"], check=True)
    result: Heard = heard.args[0]
    assert result.ended_by is EndReason.RELEASED and result.text
    bar = app.command_bar
    assert bar.isVisible() and bar.entry.text() == result.text
    qtbot.keyClick(bar.entry, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not bar.isVisible(), timeout=3000)  # a deadline, not a fixed wait
    assert app.session.state is AgentState.IDLE and ollama.chat_requests == []


def test_typing_holds_the_countdown_and_enter_runs_the_edited_task(
    make_app: Callable[..., DeskhandApp], qtbot: QtBot, ollama: FakeOllama, speech: Speech
) -> None:
    app = make_app(Mic(speech.say("close the window", lead_s=0.3, tail_s=0.5).path), voice_review_seconds=1)
    ollama.script([{"do": "finish", "summary": "Done."}])
    app.open_command_bar()
    bar = app.command_bar
    with qtbot.waitSignal(app.voice.heard, timeout=HEARD_MS):
        app.voice.press()
    qtbot.keyClicks(bar.entry, " now")
    assert "press Enter" in bar.message.text()
    qtbot.wait(1500)  # longer than the countdown: nothing ran
    assert ollama.chat_requests == [] and bar.isVisible()
    text = bar.entry.text()
    outcome = run_until_end(qtbot, app, lambda: qtbot.keyClick(bar.entry, Qt.Key.Key_Return))
    assert isinstance(outcome, TaskResult) and app.session.recent.items[0] == text and text.endswith(" now")


def test_spoken_stop_stops_a_running_task(
    make_app: Callable[..., DeskhandApp], qtbot: QtBot, ollama: FakeOllama, speech: Speech
) -> None:
    mic = Mic(speech.say("stop", lead_s=1.5, tail_s=0.5).path)
    app = make_app(mic, listen_for_stop=True)
    ollama.script([{"do": "hang", "seconds": 30, "then": {"do": "finish"}}])
    outcome = run_until_end(qtbot, app, lambda: app.start_task("Wait for a while"))
    assert isinstance(outcome, TaskResult) and outcome.status is TaskStatus.STOPPED
    assert mic.opened == 1 and len(ollama.chat_requests) == 1
    qtbot.waitUntil(lambda: app.voice._listener is None)  # the microphone is closed again


@pytest.mark.parametrize("word", ["yes", "no"])
def test_spoken_yes_or_no_answers_the_confirmation(
    make_app: Callable[..., DeskhandApp],
    qtbot: QtBot,
    ollama: FakeOllama,
    speech: Speech,
    tmp_path: Path,
    word: str,
) -> None:
    mic = Mic(speech.say(word, lead_s=0.8, tail_s=0.5).path)
    app = make_app(mic, listen_for_confirmation=True)
    target = tmp_path / "made-by-voice"
    ollama.script([{"do": "shell", "command": f"touch {target}"}, {"do": "finish"}])
    hints: list[str] = []
    app.dialogs.opened.connect(lambda d: hints.append(d.findChild(QLabel, "voice-hint").text()))
    outcome = run_until_end(qtbot, app, lambda: app.start_task("Make a file"))
    assert isinstance(outcome, TaskResult) and outcome.status is TaskStatus.FINISHED
    assert hints and "say “yes”" in hints[0] and mic.opened == 1
    assert target.exists() == (word == "yes")
    if word == "no":
        assert "denied" in str(ollama.chat_requests[1].messages).lower()


def test_a_blocked_action_never_asks_so_a_spoken_yes_cannot_run_it(
    make_app: Callable[..., DeskhandApp], qtbot: QtBot, ollama: FakeOllama, speech: Speech, tmp_path: Path
) -> None:
    mic = Mic(speech.say("yes", lead_s=0.3, tail_s=0.4).path)
    app = make_app(mic, listen_for_stop=True, listen_for_confirmation=True)
    target = tmp_path / "never"
    ollama.script(
        [
            {"do": "hang", "seconds": 2.5, "then": {"do": "shell", "command": f"sudo touch {target}"}},
            {"do": "finish"},
        ]
    )
    opened: list[object] = []
    app.dialogs.opened.connect(opened.append)
    outcome = run_until_end(qtbot, app, lambda: app.start_task("Make a file as root"))
    assert isinstance(outcome, TaskResult) and outcome.status is TaskStatus.FINISHED
    assert mic.opened == 1  # the listener was on for the whole task, hearing "yes"
    assert opened == [] and not target.exists()  # no dialog, so "yes" had nothing to answer
    assert "block" in str(ollama.chat_requests[1].messages).lower()


def test_without_a_microphone_voice_is_unavailable_and_tasks_still_run(
    make_app: Callable[..., DeskhandApp], qtbot: QtBot, ollama: FakeOllama
) -> None:
    if microphone_status().available:
        pytest.skip("this machine has a microphone")
    app = make_app(None, listen_for_stop=True, listen_for_confirmation=True)
    assert not app.voice.available
    assert "unavailable" in app.command_bar.mic.toolTip()
    assert app.bind_hotkeys(load_settings()) == []  # push-to-talk is bound only to say why: no complaint
    # The push-to-talk key opens the command bar and says why there, not only in a tooltip.
    subprocess.run(["xdotool", "key", "ctrl+alt+v"], check=True)
    qtbot.waitUntil(app.command_bar.isVisible, timeout=5000)
    qtbot.waitUntil(lambda: app.command_bar.message.text().startswith("Voice input is unavailable."))
    assert app.command_bar.message.isVisible()
    assert "Voice input is unavailable" in app.notices[-1][1]  # type: ignore[attr-defined]
    # The mic button can be clicked, and says the same.
    app.command_bar.set_message("")
    assert app.command_bar.mic.isEnabled()
    qtbot.mouseClick(app.command_bar.mic, Qt.MouseButton.LeftButton)
    assert app.command_bar.message.text().startswith("Voice input is unavailable.")
    app.command_bar.hide()
    ollama.script([{"do": "finish", "summary": "Done."}])
    outcome = run_until_end(qtbot, app, lambda: app.start_task("Anything"))
    assert isinstance(outcome, TaskResult) and outcome.status is TaskStatus.FINISHED
    assert app.voice._listener is None


@pytest.mark.parametrize("cancel", [False, True])
def test_first_use_of_whisper_downloads_its_model_with_a_progress_bar(
    make_app: Callable[..., DeskhandApp],
    qtbot: QtBot,
    speech: Speech,
    monkeypatch: pytest.MonkeyPatch,
    isolated: Path,
    cancel: bool,
) -> None:
    pytest.importorskip("faster_whisper")
    from deskhand.app.tray.voice_setup import free_recognizer, whisper_store
    from deskhand.voice.whisper import FasterWhisperRecognizer
    from tests.voice.hub import HubState, LocalHub, model_files

    with LocalHub(HubState(model_files(2.0), trickle_s=0.01)) as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        app = make_app(Mic(speech.say("yes", lead_s=0.3, tail_s=0.5).path), voice_review_seconds=30)
        settings_path = isolated / "config.toml"
        settings_path.write_text(
            settings_path.read_text().replace('recognizer = "pocketsphinx"', "")
            + 'whisper_model_size = "tiny"\nwhisper_device = "cpu"\n'
        )
        app.open_command_bar()
        with qtbot.waitSignal(app.voice.heard, timeout=HEARD_MS):
            app.voice.press()
        assert "not downloaded yet" in app.command_bar.message.text()  # pocketsphinx heard this one
        qtbot.waitUntil(lambda: app.voice.download is not None)
        download = app.voice.download
        assert download is not None and download.dialog is not None
        qtbot.waitUntil(lambda: download.dialog is not None and download.dialog.value() > 0, timeout=10_000)
        with qtbot.waitSignal(download.finished, timeout=30_000) as finished:
            if cancel:
                button = download.dialog.findChild(QPushButton)
                assert button is not None and button.text() == "Cancel"
                qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        store = whisper_store()
        if cancel:
            assert "Cancelled the download" in finished.args[0] and not store.is_present("tiny")
            assert "Cancelled the download" in app.notices[-1][1]  # type: ignore[attr-defined]
        else:
            assert finished.args[0] == "" and store.is_present("tiny")
            assert isinstance(free_recognizer(load_settings()).recognizer, FasterWhisperRecognizer)
        assert app.voice.download is None and app.voice._free is None
