"""pocketsphinx: offline, English, no download -- its wheel ships the en-US model.

Two modes behind the same ``Recognizer`` interface:

* ``commands``: a JSGF grammar of the six command words with our own pronunciation
  dictionary (variants such as S T AA P / S T AO P for "stop"), for confirmations and
  "stop".  FACTS.md measured a grammar with variants well ahead of keyword spotting or
  the full language model for these words.
  An approval ("yes", "allow") must be heard twice: by that grammar, and by a stricter
  one that also offers ~40 common filler words, so that other speech has somewhere else
  to go.  Measured on espeak-ng speech, the plain grammar maps ~98 % of non-command
  phrases to some command word; the filler grammar alone lowers that to ~37 % but also
  misses more real commands.  Refusals and "stop" are safe when wrong, approvals are
  not, hence the asymmetry.
* ``free``: the shipped language model, as the fallback for free speech when no Whisper
  model is present.  English only and much less accurate than Whisper; good enough to
  get a short task into the command bar, where the user sees and can fix it.

Why a noise floor is added: pocketsphinx tracks the background noise level, and runs of
exact zeros (a WAV file's padding, a muted or gated microphone) throw that tracker off --
measured here, ~30 % of espeak-ng words padded with digital silence came back empty,
against ~3 % with a -50 dBFS floor.  The floor is the same for every call (a fixed
seed), so the same audio always gives the same text.  A real microphone always has such a floor.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any, Literal

import numpy as np

from deskhand.voice.errors import RecognizerUnavailable
from deskhand.voice.recognizer import COMMAND_WORDS, Transcript, find_command

__all__ = ["COMMAND_DICTIONARY", "FILLER_WORDS", "PocketSphinxRecognizer", "command_grammar"]

Mode = Literal["commands", "free"]
# Normalize each utterance by its own cepstral mean: we always decode whole utterances,
# so the result does not depend on what was said before.
CMN = "batch"
NOISE_FLOOR_RMS = 60.0  # ~ -55 dBFS: a quiet room through a laptop microphone

COMMAND_DICTIONARY: dict[str, tuple[str, ...]] = {
    "yes": ("Y EH S", "Y AE S"),
    "no": ("N OW", "N AO"),
    "allow": ("AH L AW", "AE L AW"),
    "deny": ("D IH N AY", "D IY N AY", "D AH N AY"),
    "stop": ("S T AA P", "S T AO P"),
    "cancel": ("K AE N S AH L", "K AE N S EH L", "K AE N S L"),
}


# Frequent short words that speech near the computer is made of; never commands themselves.
FILLER_WORDS: tuple[str, ...] = (
    "the", "a", "to", "and", "is", "it", "that", "what", "this", "okay", "hello", "hi", "open",
    "click", "close", "window", "file", "please", "thanks", "now", "then", "where", "when", "how",
    "why", "can", "you", "do", "go", "see", "look", "type", "save", "run", "yeah", "know",
)  # fmt: skip


def command_grammar(words: tuple[str, ...] = COMMAND_WORDS, name: str = "commands") -> str:
    return f"#JSGF V1.0;\ngrammar {name};\npublic <command> = " + " | ".join(words) + ";\n"


def _dictionary_text(cmudict: str) -> str:
    """Our command pronunciations, plus the fillers' as the shipped dictionary has them."""
    entries = {w: list(p) for w, p in COMMAND_DICTIONARY.items()}
    wanted = set(FILLER_WORDS)
    with open(cmudict, encoding="utf-8") as fh:
        for line in fh:
            head, _, phones = line.strip().partition(" ")
            word = head.split("(")[0]
            if word in wanted:
                entries.setdefault(word, []).append(phones.strip())
    lines = []
    for word, pronunciations in entries.items():
        for i, phones in enumerate(pronunciations[:3]):
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
                cmn=CMN,
                loglevel="FATAL",
            )
            return pocketsphinx.Decoder(config)
        dict_path = self._write_dictionary(_dictionary_text(os.path.join(model, "cmudict-en-us.dict")))
        config = pocketsphinx.Config(hmm=hmm, dict=dict_path, lm=None, cmn=CMN, loglevel="FATAL")
        decoder = pocketsphinx.Decoder(config)
        decoder.add_jsgf_string("commands", command_grammar())
        decoder.add_jsgf_string("strict", command_grammar(COMMAND_WORDS + FILLER_WORDS, "strict"))
        decoder.activate_search("commands")
        return decoder

    def _write_dictionary(self, text: str) -> str:
        """pocketsphinx reads dictionaries from files only; ours is named by its content's hash,
        so it is written once and never goes stale when the variants change."""
        import hashlib
        import tempfile

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
        samples += np.random.default_rng(0).normal(0.0, NOISE_FLOOR_RMS, samples.size)
        return bytes(np.clip(samples, -32768, 32767).astype("<i2").tobytes())

    def transcribe(self, pcm: bytes) -> Transcript:
        started = time.perf_counter()
        audio = self._with_floor(pcm)
        with self._lock:
            if self._decoder is None:
                self._decoder = self._build()
            text = self._decode(audio)
            if self.mode == "commands" and (command := find_command(text)) is not None and command.approves:
                self._decoder.activate_search("strict")
                try:
                    if find_command(self._decode(audio)) != command:
                        text = ""  # only one grammar heard an approval: not sure enough
                finally:
                    self._decoder.activate_search("commands")
        return Transcript(text, self.name, (time.perf_counter() - started) * 1000, "en")

    def _decode(self, audio: bytes) -> str:
        decoder = self._decoder
        decoder.start_utt()
        decoder.process_raw(audio, False, True)
        decoder.end_utt()
        hyp = decoder.hyp()
        return str(hyp.hypstr).strip() if hyp is not None else ""
