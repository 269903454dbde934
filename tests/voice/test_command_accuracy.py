"""Command words through the microphone's pipeline: measured accuracy and latency.

Every file goes FileSource -> VAD (the listener's settings) -> pocketsphinx grammar ->
``find_command``, exactly as the app hears a microphone.  The numbers are measured on each
run and printed; the asserts are floors, not expected results.
"""

from __future__ import annotations

import itertools
import statistics
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from deskhand.voice.audio import FileSource
from deskhand.voice.listening import COMMAND_VAD, TalkFilter
from deskhand.voice.recognizer import COMMAND_WORDS, Command, find_command
from deskhand.voice.sphinx import PocketSphinxRecognizer
from deskhand.voice.vad import utterances
from tests.voice.speech import SPEEDS, VOICES, Speech, Spoken

NOISE_LEVELS = (0.0, 0.01)  # none, and white noise at -40 dBFS (a noisy room)
NOT_COMMANDS = ("yesterday", "nobody", "stock", "castle", "hello there", "what time is it",
                "click save", "nothing", "yellow", "snow", "open the file", "allowance")  # fmt: skip


@pytest.fixture(scope="module")
def recognizer(tmp_path_factory: pytest.TempPathFactory) -> PocketSphinxRecognizer:
    r = PocketSphinxRecognizer("commands", cache_dir=str(tmp_path_factory.mktemp("sphinx")))
    r.warm_up()
    return r


def hear(recognizer: PocketSphinxRecognizer, path: Path) -> tuple[list[Command], list[float], float | None]:
    """Commands heard in a file, recognition times (ms), and when the VAD ended speech (s)."""
    commands, times, end = [], [], None
    talk = TalkFilter()
    for utterance in utterances(FileSource(path), COMMAND_VAD):
        if talk.is_talk(utterance):
            continue
        transcript = recognizer.transcribe(utterance.pcm)
        times.append(transcript.elapsed_ms)
        end = utterance.end_ms / 1000 if end is None else end
        command = find_command(transcript.text)
        if command is not None:
            commands.append(command)
    return commands, times, end


def make_all(speech: Speech, jobs: list[dict[str, object]]) -> list[Spoken]:
    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(lambda job: speech.say(**job), jobs))  # type: ignore[arg-type]


def test_command_words_accuracy_and_latency(
    speech: Speech, recognizer: PocketSphinxRecognizer, report: Callable[[str], None]
) -> None:
    cases = list(itertools.product(COMMAND_WORDS, VOICES, SPEEDS, NOISE_LEVELS))
    spoken = make_all(
        speech,
        [
            {"text": w, "voice": v, "speed": s, "noise": n, "lead_s": 0.6, "tail_s": 1.0}
            for w, v, s, n in cases
        ],
    )
    right: dict[str, list[bool]] = defaultdict(list)
    times: list[float] = []
    vad_delays: list[float] = []
    misses = []
    for (word, voice, speed, noise), sample in zip(cases, spoken, strict=True):
        heard, ms, end = hear(recognizer, sample.path)
        ok = [c.value for c in heard] == [word]
        for key in (word, f"voice {voice}", f"{speed} wpm", f"noise {noise}", "all"):
            right[key].append(ok)
        times.extend(ms)
        if end is not None:
            vad_delays.append(end - sample.speech_end_s)
        if not ok:
            misses.append(f"{word}/{voice}/{speed}/{noise}->{[c.value for c in heard]}")
    report("command words via FileSource -> VAD -> pocketsphinx grammar (measured this run)")
    order = ["all", *COMMAND_WORDS, *(f"voice {v}" for v in VOICES), *(f"{s} wpm" for s in SPEEDS),
             *(f"noise {n}" for n in NOISE_LEVELS)]  # fmt: skip
    for key in order:
        oks = right[key]
        report(f"  {key:<22} {sum(oks):>3}/{len(oks):<3} {100 * sum(oks) / len(oks):5.1f} %")
    report(
        f"  recognition: mean {statistics.mean(times):.0f} ms, "
        f"p95 {sorted(times)[int(0.95 * (len(times) - 1))]:.0f} ms, max {max(times):.0f} ms"
    )
    report(
        f"  end of speech -> VAD says ended: mean {1000 * statistics.mean(vad_delays):.0f} ms, "
        f"max {1000 * max(vad_delays):.0f} ms (closing window {COMMAND_VAD.end_silence_ms} ms)"
    )
    report(f"  misses: {', '.join(misses) or 'none'}")
    overall = sum(right["all"]) / len(right["all"])
    assert overall >= 0.75, misses
    for word in ("yes", "no", "stop"):
        assert sum(right[word]) / len(right[word]) >= 0.6, (word, misses)
    assert max(times) < 2000


def test_other_speech_is_rarely_taken_for_an_approval(
    speech: Speech, recognizer: PocketSphinxRecognizer, report: Callable[[str], None]
) -> None:
    """The listener hears the room; an approval needs both grammars to agree."""
    cases = list(itertools.product(NOT_COMMANDS, VOICES[:2]))
    spoken = make_all(speech, [{"text": t, "voice": v, "lead_s": 0.5, "tail_s": 1.0} for t, v in cases])
    approvals, anything = [], []
    for (text, voice), sample in zip(cases, spoken, strict=True):
        heard, _, _ = hear(recognizer, sample.path)
        if any(c.approves for c in heard):
            approvals.append(f"{text}/{voice}")
        if heard:
            anything.append(f"{text}/{voice}->{[c.value for c in heard]}")
    n = len(cases)
    report(f"non-command speech ({n} samples): taken as an approval {len(approvals)} "
           f"({100 * len(approvals) / n:.0f} %), as any command {len(anything)} ({100 * len(anything) / n:.0f} %)")  # fmt: skip
    report(f"  approvals: {', '.join(approvals) or 'none'}")
    assert len(approvals) / n <= 0.25, approvals
