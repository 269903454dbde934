"""Push-to-talk and the command listener on their threads, fed by real-time FileSources."""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

import pytest

from deskhand.core.errors import DeskhandError
from deskhand.voice.audio import FileSource
from deskhand.voice.listening import CommandListener, Heard, PushToTalk
from deskhand.voice.recognizer import Command, Transcript, find_command
from deskhand.voice.sphinx import PocketSphinxRecognizer
from deskhand.voice.vad import EndReason
from tests.voice.speech import Speech


@pytest.fixture(scope="module")
def commands(tmp_path_factory: pytest.TempPathFactory) -> PocketSphinxRecognizer:
    return PocketSphinxRecognizer("commands", cache_dir=str(tmp_path_factory.mktemp("sphinx")))


def wait(event: threading.Event, timeout: float = 10.0) -> None:
    assert event.wait(timeout), "timed out"


def test_push_to_talk_ends_on_silence_and_reports_levels(
    speech: Speech, commands: PocketSphinxRecognizer
) -> None:
    spoken = speech.say("stop", lead_s=0.3, tail_s=0.2)
    done, result, levels = threading.Event(), [], []
    started: list[float] = []

    def clock() -> float:  # the file's first read is the moment the microphone opened
        now = time.monotonic()
        started.append(now)
        return now

    ptt = PushToTalk(
        lambda: FileSource(spoken.path, realtime=True, trailing_silence_s=None, clock=clock),
        commands,
        on_done=lambda heard: (result.append(heard), done.set()),
        on_level=levels.append,
    )
    ptt.start()
    wait(done, 60)
    ended = time.monotonic()
    heard: Heard = result[0]
    assert heard.ended_by is EndReason.SILENCE and heard.text == "stop"
    # Ends on silence, not a timeout: counted from when the audio began (a starved thread may
    # open the microphone late; the speaker talks after it opened, not after the button press).
    assert ended - started[0] < spoken.speech_end_s + 1.5
    assert max(levels) > -35 and min(levels) < -80 and len(levels) > 20


def test_push_to_talk_release_and_cancel(speech: Speech, commands: PocketSphinxRecognizer) -> None:
    spoken = speech.say("yes", lead_s=0.3, tail_s=3.0)
    for action, expected in (("release", EndReason.RELEASED), ("cancel", EndReason.CANCELLED)):
        done, result = threading.Event(), []
        ptt = PushToTalk(
            lambda: FileSource(spoken.path, realtime=True),
            commands,
            on_done=lambda heard, r=result, d=done: (r.append(heard), d.set()),
        )
        ptt.start()
        time.sleep(0.6)  # mid-word: the VAD has not ended anything
        getattr(ptt, action)()
        wait(done, 3)
        assert result[0].ended_by is expected
        assert (result[0].transcript is None) == (action == "cancel")


def test_push_to_talk_errors_come_back_as_messages(commands: PocketSphinxRecognizer) -> None:
    def broken() -> FileSource:
        raise DeskhandError("Tried to open the microphone, but there is none.")

    done, result = threading.Event(), []
    PushToTalk(broken, commands, on_done=lambda h: (result.append(h), done.set())).start()
    wait(done)
    assert result[0].error == "Tried to open the microphone, but there is none."


def test_the_listener_hears_stop_among_silence_and_ignores_long_talk(
    speech: Speech, commands: PocketSphinxRecognizer, tmp_path: Path
) -> None:
    talk = speech.say("so I was saying that we should probably go and have lunch soon", tail_s=0.8)
    stop = speech.say("stop", lead_s=0.3, tail_s=1.0)
    stream = tmp_path / "room.wav"
    subprocess.run(["sox", "-V1", str(talk.path), str(stop.path), str(stream)], check=True)
    heard: list[tuple[Command, Transcript]] = []
    got_stop = threading.Event()

    def on_command(command: Command, transcript: Transcript) -> None:
        heard.append((command, transcript))
        if command is Command.STOP:
            got_stop.set()

    listener = CommandListener(
        lambda: FileSource(stream, realtime=False, trailing_silence_s=None), commands, on_command=on_command
    )
    listener.start()
    wait(got_stop)
    listener.stop()
    assert not listener.thread.is_alive()
    assert [c for c, _ in heard] == [Command.STOP]  # the sentence was not taken for a command


def test_listener_reports_a_failing_microphone_once(commands: PocketSphinxRecognizer) -> None:
    errors: list[str] = []

    def broken() -> FileSource:
        raise DeskhandError("no microphone")

    listener = CommandListener(broken, commands, on_command=lambda c, t: None, on_error=errors.append)
    listener.start()
    listener.thread.join(5)
    assert errors == ["no microphone"]


@pytest.mark.parametrize(
    ("text", "command"),
    [("Yes.", Command.YES), ("no thanks", Command.NO), ("Allow", Command.ALLOW), ("deny it", Command.DENY),
     ("stop stop", Command.STOP), ("yes no", None), ("no cancel", Command.NO), ("yes allow", Command.YES),
     ("yes stop", Command.STOP), ("yesterday", None), ("", None)],
)  # fmt: skip
def test_find_command(text: str, command: Command | None) -> None:
    assert find_command(text) == command
