"""The Whisper path up to the model: real download code against a local hub, then the
recognizer behind the interface.

Real: HTTP (httpx), Range resume, digests, cancel, error messages, faster-whisper's own
loader on a downloaded folder.  Faked: the model's transcribe call (``FakeWhisper``),
because Whisper weights cannot be fetched on these machines.
"""

from __future__ import annotations

import hashlib
import importlib.util
import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from deskhand.voice.audio import read_wav
from deskhand.voice.errors import (
    ChecksumMismatch,
    DownloadCancelled,
    ModelDownloadFailed,
    RecognizerUnavailable,
)
from deskhand.voice.recognizer import Recognizer
from deskhand.voice.whisper import FasterWhisperRecognizer, load_faster_whisper
from deskhand.voice.whisper_choice import Hardware, choose_whisper
from deskhand.voice.whisper_download import WhisperModelStore
from tests.voice.hub import HubState, LocalHub, model_files
from tests.voice.speech import Speech


@pytest.fixture
def hub() -> Iterator[LocalHub]:
    with LocalHub(HubState(model_files())) as server:
        yield server


def store(tmp_path: Path, hub: LocalHub, **kw: Any) -> WhisperModelStore:
    return WhisperModelStore(tmp_path / "whisper", hub=hub.url, chunk_size=16384, **kw)


def model_requests(hub: LocalHub) -> list[str | None]:
    return [rng for path, rng in hub.state.requests if path.endswith("/model.bin")]


def test_download_with_progress_puts_verified_files_in_place(tmp_path: Path, hub: LocalHub) -> None:
    seen: list[tuple[int, int]] = []
    s = store(tmp_path, hub)
    folder = s.download("base", progress=lambda done, total: seen.append((done, total)))
    files = hub.state.files
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [".complete", "config.json", "model.bin", "tokenizer.json", "vocabulary.txt"]
    )
    assert (folder / "model.bin").read_bytes() == files["model.bin"]
    total = sum(len(files[n]) for n in ("config.json", "model.bin", "tokenizer.json", "vocabulary.txt"))
    assert seen[-1] == (total, total) and all(t == total for _, t in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen) and len(seen) > 10
    assert s.is_present("base") and not (tmp_path / "whisper" / "faster-whisper-base.partial").exists()
    hub.state.requests.clear()
    assert s.download("base") == folder and hub.state.requests == []  # second use: no network


def test_a_cut_transfer_resumes_with_a_range_request(tmp_path: Path, hub: LocalHub) -> None:
    hub.state.cut_after["model.bin"] = 1_000_000
    folder = store(tmp_path, hub).download("small")
    assert (folder / "model.bin").read_bytes() == hub.state.files["model.bin"]
    ranges = model_requests(hub)
    assert ranges[0] is None and ranges[1] is not None
    resumed_from = int(ranges[1].removeprefix("bytes=").rstrip("-"))
    assert 0 < resumed_from <= 1_000_000


def test_cancel_keeps_the_part_and_the_next_download_resumes(tmp_path: Path, hub: LocalHub) -> None:
    hub.state.trickle_s = 0.01
    cancel = threading.Event()
    s = store(tmp_path, hub)

    def progress(done: int, total: int) -> None:
        if done > 600_000:
            cancel.set()

    with pytest.raises(DownloadCancelled, match="resumes"):
        s.download("tiny", progress=progress, cancel=cancel)
    part = tmp_path / "whisper" / "faster-whisper-tiny.partial" / "model.bin.part"
    kept = part.stat().st_size
    assert 500_000 < kept < len(hub.state.files["model.bin"]) and not s.is_present("tiny")
    hub.state.trickle_s = 0.0
    folder = store(tmp_path, hub).download("tiny")  # a new store, as after a restart
    assert (
        hashlib.sha256((folder / "model.bin").read_bytes()).digest()
        == hashlib.sha256(hub.state.files["model.bin"]).digest()
    )
    assert model_requests(hub)[-1] == f"bytes={kept}-"


def test_a_server_that_ignores_range_still_gives_a_correct_file(tmp_path: Path, hub: LocalHub) -> None:
    hub.state.cut_after["model.bin"] = 700_000
    hub.state.ignore_range = True
    folder = store(tmp_path, hub).download("base")
    assert (folder / "model.bin").read_bytes() == hub.state.files["model.bin"]


@pytest.mark.parametrize("bad", ["model.bin", "config.json"])
def test_checksum_mismatch_deletes_the_file_and_says_so(tmp_path: Path, hub: LocalHub, bad: str) -> None:
    hub.state.corrupt.add(bad)
    s = store(tmp_path, hub)
    with pytest.raises(ChecksumMismatch, match=f"Downloaded {bad} of the Whisper model 'base', but its SHA"):
        s.download("base")
    staging = tmp_path / "whisper" / "faster-whisper-base.partial"
    assert not (staging / bad).exists() and not (staging / f"{bad}.part").exists()
    assert not s.is_present("base")


def test_no_network_is_a_clear_set_up_error(tmp_path: Path) -> None:
    s = WhisperModelStore(tmp_path, hub="http://127.0.0.1:9")
    with pytest.raises(ModelDownloadFailed) as err:
        s.download("base")
    text = str(err.value)
    assert text.startswith(
        "Tried to download the Whisper model 'base' (about 145 MB) from http://127.0.0.1:9"
    )
    assert "could not reach it" in text and 'recognizer = "pocketsphinx"' in text


def test_offline_mode_and_unknown_models_are_refused(
    tmp_path: Path, hub: LocalHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    hub.state.files.pop("model.bin")
    with pytest.raises(ModelDownloadFailed, match=r"no model\.bin"):
        store(tmp_path, hub).download("base")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelDownloadFailed, match="HF_HUB_OFFLINE"):
        store(tmp_path, hub).download("base")
    assert [p for p, _ in hub.state.requests].count("/api/models/Systran/faster-whisper-base/tree/main") == 1


class FakeWhisper:
    """Stands in for faster_whisper.WhisperModel (no weights here); records what it got."""

    def __init__(self) -> None:
        self.audio: list[np.ndarray] = []

    def transcribe(self, audio: Any, **options: Any) -> tuple[Iterator[Any], Any]:
        self.audio.append(audio)
        words = [SimpleNamespace(text=" Open the"), SimpleNamespace(text=" terminal. ")]
        return iter(words), SimpleNamespace(language="en", options=options)


def test_the_recognizer_feeds_the_model_normalized_audio(
    tmp_path: Path, hub: LocalHub, speech: Speech
) -> None:
    folder = store(tmp_path, hub).download("base")
    fake = FakeWhisper()
    loads: list[tuple[Path, str, str]] = []

    def load(path: Path, device: str, compute: str) -> FakeWhisper:
        loads.append((path, device, compute))
        return fake

    recognizer: Recognizer = FasterWhisperRecognizer(folder, device="cpu", compute_type="int8", load=load)
    pcm = read_wav(speech.say("open the terminal").path)
    first, second = recognizer.transcribe(pcm), recognizer.transcribe(pcm)
    assert (
        first.text == "Open the terminal." and first.language == "en" and first.recognizer == "faster-whisper"
    )
    assert loads == [(folder, "cpu", "int8")] and second.text == first.text  # loaded once
    audio = fake.audio[0]
    assert audio.dtype == np.float32 and len(audio) == len(pcm) // 2 and 0.05 < np.abs(audio).max() <= 1.0


@pytest.mark.skipif(importlib.util.find_spec("faster_whisper") is None, reason="faster-whisper not installed")
def test_the_real_loader_reports_a_broken_model_clearly(tmp_path: Path, hub: LocalHub) -> None:
    folder = store(tmp_path, hub).download("base")  # random bytes: a "model" that cannot load
    with pytest.raises(RecognizerUnavailable, match="Delete that folder"):
        load_faster_whisper(folder, "cpu", "int8")


@pytest.mark.parametrize(
    ("hardware", "size", "device"),
    [
        (Hardware(2, 4), "tiny", "cpu"),
        (Hardware(4, 16), "base", "cpu"),
        (Hardware(16, 32), "small", "cpu"),
        (Hardware(8, 32, cuda_memory_gb=6), "base", "cuda"),
        (Hardware(8, 32, cuda_memory_gb=12), "small", "cuda"),
        (Hardware(8, 32, cuda_memory_gb=24), "large-v3", "cuda"),
    ],
)
def test_model_size_follows_the_hardware(hardware: Hardware, size: str, device: str) -> None:
    choice = choose_whisper(hardware)
    assert (choice.size, choice.device) == (size, device)
    assert choice.compute_type == ("int8" if device == "cpu" else "int8_float16")


def test_settings_override_the_table() -> None:
    assert choose_whisper(Hardware(2, 4), "medium", "cpu").size == "medium"
    assert choose_whisper(Hardware(16, 64, 24), "auto", "cpu").device == "cpu"
