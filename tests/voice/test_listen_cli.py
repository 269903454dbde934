"""``deskhand listen``: exit codes and one-line errors, through ``cli.main`` as a user runs it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from deskhand.app.cli.main import main
from tests.voice.conftest import write_config
from tests.voice.hub import HubState, LocalHub, model_files
from tests.voice.speech import Speech


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DESKHAND_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # never the real hub
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["listen", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_command_words_from_a_file(
    speech: Speech, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(
        capsys, "--file", str(speech.say("stop", voice="en-gb").path), "--grammar", "commands"
    )
    assert (code, out, err) == (0, "stop\n", "")


def test_free_speech_from_a_file_with_pocketsphinx(
    speech: Speech, capsys: pytest.CaptureFixture[str], isolated: Path
) -> None:
    write_config(isolated / "config.toml", recognizer="pocketsphinx")
    code, out, err = run(capsys, "--file", str(speech.say("click apply", speed=150).path))
    assert code == 0 and err == ""
    assert "apply" in out and out.count("\n") == 1


def test_whisper_missing_model_falls_back_with_a_clear_note(
    speech: Speech, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("faster_whisper")
    code, out, err = run(capsys, "--file", str(speech.say("click apply", speed=150).path))
    assert code == 0 and out.strip()
    assert "Tried to download the Whisper model" in err and "Using pocketsphinx" in err


def test_without_faster_whisper_pocketsphinx_takes_over_with_a_clear_note(
    speech: Speech, capsys: pytest.CaptureFixture[str]
) -> None:
    if importlib.util.find_spec("faster_whisper") is not None:
        pytest.skip("faster-whisper is installed here; the test above covers that path")
    code, out, err = run(capsys, "--file", str(speech.say("click apply", speed=150).path))
    assert code == 0 and out.strip()
    assert "faster-whisper is not installed" in err and "pocketsphinx" in err


def test_first_use_downloads_the_model_with_a_progress_bar(
    speech: Speech, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, isolated: Path
) -> None:
    pytest.importorskip("faster_whisper")
    write_config(isolated / "config.toml", whisper_model_size="tiny", whisper_device="cpu")
    with LocalHub(HubState(model_files(1.0))) as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        code, _, err = run(capsys, "--file", str(speech.say("yes").path))
    # The download is real; the weights are random bytes, so faster-whisper refuses them.
    assert "downloading the Whisper model 'tiny' once" in err and "MB" in err
    assert (isolated / "cache" / "deskhand" / "whisper" / "faster-whisper-tiny" / ".complete").exists()
    assert code == 2 and err.splitlines()[-1].startswith(
        "deskhand: error: Tried to load the Whisper model in"
    )


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "missing.wav", "Tried to read {p}/missing.wav, but there is no such file."),
        (
            lambda p: (p / "x.wav").write_text("hello") and p / "x.wav",
            "but it does not start with a RIFF/WAVE header",
        ),
    ],
)
def test_bad_files_are_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, make: object, message: str
) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    code, out, err = run(capsys, "--file", str(path))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("deskhand: error: ")
    assert message.format(p=tmp_path) in err


def test_silence_recognizes_nothing_exit_1(speech: Speech, capsys: pytest.CaptureFixture[str]) -> None:
    path = speech.silence(1.5)
    code, out, err = run(capsys, "--file", str(path), "--grammar", "commands")
    assert (code, out) == (1, "")
    assert err == (
        f"deskhand: error: Listened to {path}, but recognized no command word "
        "(yes, no, allow, deny, stop, cancel).\n"
    )


def test_no_microphone_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    from deskhand.voice.microphone import microphone_status

    if microphone_status().available:
        pytest.skip("this machine has a microphone")
    code, out, err = run(capsys)
    assert code == 2 and out == ""
    assert err.startswith("deskhand: error: Tried to open the microphone, but") and err.count("\n") == 1


def test_bad_grammar_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--grammar", "everything")
    assert code == 2 and "invalid choice" in err
