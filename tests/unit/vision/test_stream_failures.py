"""A stream's raw failures are put into words even though they are DeskhandErrors now.

``ReplyCut``, ``ReplyTooLong``, ``FirstTokenTimeout`` and ``TotalTimeout`` derive from
``StreamFailure`` (a ``DeskhandError``); the handlers that pass DeskhandErrors on unchanged
(``read_reply``, both ``translate``) must still hand these to the backend's words, or a
user would read "the stream ended" with no model, server or advice in it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from deskhand.core.errors import ModelError, ModelRejected, Stopped
from deskhand.vision import model_errors, openai_errors
from deskhand.vision.model_errors import Attempt, FirstTokenTimeout, ReplyCut, ReplyTooLong, TotalTimeout
from deskhand.vision.streaming import read_reply

ATTEMPT = Attempt("Asked m on Ollama at http://h:1 for an answer", "http://h:1", "m", 5.0, 60.0)


def _read(chunks: Iterator[tuple[str, bool]]) -> str:
    def fail(exc: Exception, received: int) -> Exception:
        return model_errors.translate(exc, replace(ATTEMPT, received=received))

    got = read_reply(
        lambda: chunks, lambda chunk: chunk, should_stop=lambda: False, limit=600, reply_end=None,
        cut="no done chunk",
        fail=fail,
    )  # fmt: skip
    return got.text


def test_a_cut_stream_reaches_the_user_in_words() -> None:
    with pytest.raises(ModelError) as caught:
        _read(iter([("Thought: click", False)]))
    assert type(caught.value) is ModelError and isinstance(caught.value.__cause__, ReplyCut)
    assert str(caught.value).startswith(
        "Asked m on Ollama at http://h:1 for an answer, but the answer was cut"
    )
    assert "after 14 characters (no done chunk)" in str(caught.value)


def test_an_error_already_in_words_passes_unchanged() -> None:
    def failing() -> Iterator[tuple[str, bool]]:
        yield ("a", False)
        raise Stopped()

    with pytest.raises(Stopped) as caught:
        _read(failing())
    assert caught.value.__cause__ is None


@pytest.mark.parametrize(
    ("raw", "words", "kind"),
    [
        (ReplyCut("the stream ended"), "was cut off before any text arrived (the stream ended)", ModelError),
        (ReplyTooLong(100), "but the answer grew past 100 characters without ending", ModelRejected),
        (FirstTokenTimeout(12.34), "but waited 12.3 s and no answer came", ModelError),
        (TotalTimeout(300), "but waited 300 s and the answer was still not finished", ModelError),
    ],
)
def test_both_backends_translate_each_stream_failure(raw: Exception, words: str, kind: type) -> None:
    context = openai_errors.Context(ATTEMPT, redact=lambda text: text, has_key=False)
    for said in (model_errors.translate(raw, ATTEMPT), openai_errors.translate(raw, context)):
        assert type(said) is kind and said is not raw
        assert str(said).startswith(ATTEMPT.doing) and words in str(said)
