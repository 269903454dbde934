"""The one interface every speech recognizer implements, and the command words.

The app and the CLI hold a ``Recognizer`` and never know which engine is behind it, so the
settings can swap faster-whisper for pocketsphinx (or a test for a fake) without touching
a caller.  Input is always what ``deskhand.voice.audio`` produces: 16 kHz mono int16.

The command vocabulary is small on purpose -- it is what a grammar recognizer can tell
apart reliably -- and what each word *means* is decided here, once: "yes"/"allow"
approve, "no"/"deny"/"cancel" refuse, "stop" stops.  A spoken approval is only ever an
answer to an open confirmation dialog; it cannot reach an action the policy blocks,
because blocked actions never open one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

__all__ = ["COMMAND_WORDS", "Command", "Recognizer", "Transcript", "find_command"]


@dataclass(frozen=True, slots=True)
class Transcript:
    text: str  # "" when nothing was recognized
    recognizer: str  # which engine produced it, for logs and the CLI's --verbose
    elapsed_ms: float  # recognition time only (not recording)
    language: str | None = None


class Recognizer(Protocol):
    """Turns one utterance into text; raises RecognizerUnavailable if it cannot run."""

    name: str

    def transcribe(self, pcm: bytes) -> Transcript: ...


class Command(StrEnum):
    YES = "yes"
    NO = "no"
    ALLOW = "allow"
    DENY = "deny"
    STOP = "stop"
    CANCEL = "cancel"

    @property
    def approves(self) -> bool:
        return self in (Command.YES, Command.ALLOW)

    @property
    def refuses(self) -> bool:
        return self in (Command.NO, Command.DENY, Command.CANCEL)


COMMAND_WORDS: tuple[str, ...] = tuple(c.value for c in Command)
_WORD = re.compile(r"[a-z]+")


def find_command(text: str) -> Command | None:
    """The command a transcript holds, if exactly one kind is in it ("Yes." -> YES).

    Mixed answers ("yes, no") count as none: guessing would be worse than asking again.
    """
    found = {Command(w) for w in _WORD.findall(text.lower()) if w in COMMAND_WORDS}
    if Command.STOP in found:
        return Command.STOP  # "stop" wins: it is the safe one
    if len(found) == 1:
        return found.pop()
    if found and all(c.refuses for c in found):
        return Command.NO
    if found and all(c.approves for c in found):
        return Command.YES
    return None
