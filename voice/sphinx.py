"""pocketsphinx: offline, English, no download -- its wheel ships the en-US model.

Two modes behind the same ``Recognizer`` interface:

* ``commands``: a JSGF grammar of the six command words with our own pronunciation
  dictionary (variants such as S T AA P / S T AO P for "stop"), for confirmations and
  "stop".  FACTS.md measured a grammar with variants well ahead of keyword spotting or
  the full language model for these words.
* ``free``: the shipped language model, as the fallback for free speech when no Whisper
  model is present.  English only and much less accurate than Whisper; good enough to
  get a short task into the command bar, where the user sees and can fix it.

Why a noise floor is added: pocketsphinx tracks the background noise level, and runs of
exact zeros (a WAV file's padding, a muted or gated microphone) throw that tracker off --
measured here, ~30 % of espeak-ng words padded with digital silence came back empty,
against ~3 % with a -50 dBFS floor.  A real microphone always has such a floor.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any, Literal

import numpy as np

from deskhand.voice.errors import RecognizerUnavailable
from deskhand.voice.recognizer import COMMAND_WORDS, Transcript

__all__ = ["COMMAND_DICTIONARY", "PocketSphinxRecognizer", "command_grammar"]

Mode = Literal["commands", "free"]
NOISE_FLOOR_RMS = 100.0  # ~ -50 dBFS: a quiet room through a laptop microphone

COMMAND_DICTIONARY: dict[str, tuple[str, ...]] = {
    "yes": ("Y EH S", "Y AE S"),
    "no": ("N OW", "N AO"),
    "allow": ("AH L AW", "AE L AW"),
    "deny": ("D IH N AY", "D IY N AY", "D AH N AY"),
    "stop": ("S T AA P", "S T AO P"),
    "cancel": ("K AE N S AH L", "K AE N S EH L", "K AE N S L"),
}


def command_grammar(words: tuple[str, ...] = COMMAND_WORDS) -> str:
    return "#JSGF V1.0;\ngrammar commands;\npublic <command> = " + " | ".join(words) + ";\n"


def _dictionary_text() -> str:
    lines = []
    for word, pronunciations in COMMAND_DICTIONARY.items():
        for i, phones in enumerate(pronunciations):
            lines.append(f"{word}{'' if i == 0 else f'({i + 1})'} {phones}")
    return "\n".join(lines) + "\n"


class PocketSphinxRecognizer:
    """``Recognizer`` over pocketsphinx; the decoder is built on first use (50-800 ms)."""

    def __init__(self, mode: Mode = "commands", *, cache_dir: str | None = None) -> None:
        self.mode = mode
        self.name = "pocketsphinx" if mode == "free" else "pocketsphinx-commands"
        self.cache_dir = cache_dir
        self._decoder: Any = None
        self._lock = threading.Lock()
        self._rng = np.random.default_rng(0)

    def _build(self) -> Any:
        try:
            import pocketsphinx
        except ImportError as exc:
            raise RecognizerUnavailable(
                "Tried to start the pocketsphinx recognizer, but it is not installed. "
                "Install it with `pip install pocketsphinx`."
            ) from exc
        model = os.path.join(pocketsphinx.get_model_path(), "en-us")
        hmm = os.path.join(model, "en-us")
        if self.mode == "free":
            config = pocketsphinx.Config(
                hmm=hmm,
                lm=os.path.join(model, "en-us.lm.bin"),
                dict=os.path.join(model, "cmudict-en-us.dict"),
                loglevel="FATAL",
            )
            return pocketsphinx.Decoder(config)
        dict_path = self._write_dictionary()
        config = pocketsphinx.Config(hmm=hmm, dict=dict_path, lm=None, loglevel="FATAL")
        decoder = pocketsphinx.Decoder(config)
        decoder.add_jsgf_string("commands", command_grammar())
        decoder.activate_search("commands")
        return decoder

    def _write_dictionary(self) -> str:
        """pocketsphinx reads dictionaries from files only; ours is named by its content's hash,
        so it is written once and never goes stale when the variants change."""
        import hashlib
        import tempfile

        text = _dictionary_text()
        folder = self.cache_dir or tempfile.gettempdir()
        os.makedirs(folder, exist_ok=True)
        digest = hashlib.sha256(text.encode("ascii")).hexdigest()[:12]
        path = os.path.join(folder, f"deskhand-commands-{digest}.dict")
        if not os.path.exists(path):
            fd, tmp = tempfile.mkstemp(dir=folder, suffix=".dict")
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(text)
            os.replace(tmp, path)
        return path

    def warm_up(self) -> None:
        """Build the decoder now (call off the GUI thread) so the first answer is quick."""
        with self._lock:
            if self._decoder is None:
                self._decoder = self._build()

    def _with_floor(self, pcm: bytes) -> bytes:
        samples = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
        samples += self._rng.normal(0.0, NOISE_FLOOR_RMS, samples.size)
        return bytes(np.clip(samples, -32768, 32767).astype("<i2").tobytes())

    def transcribe(self, pcm: bytes) -> Transcript:
        started = time.perf_counter()
        with self._lock:
            if self._decoder is None:
                self._decoder = self._build()
            decoder = self._decoder
            decoder.start_utt()
            decoder.process_raw(self._with_floor(pcm), False, True)
            decoder.end_utt()
            hyp = decoder.hyp()
        text = hyp.hypstr.strip() if hyp is not None else ""
        return Transcript(text, self.name, (time.perf_counter() - started) * 1000, "en")
