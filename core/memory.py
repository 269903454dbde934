"""What Deskhand remembers about its user, and which of it a task gets to see.

Facts are short sentences the user added ("my editor is mousepad") or agreed to keep when
the model proposed them.  A task is shown only the facts relevant to its words, chosen by
BM25 over the task text: explainable (the shared words are the reason), local, no
embedding service.  A fact that shares no word with the task is never sent, so a long
memory does not flood a small model's context -- nor send every private fact to the
server with every task.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["MAX_FACT_CHARS", "MemoryFact", "prompt_with_memories", "relevant_facts", "words"]

MAX_FACT_CHARS = 500
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Words that say nothing about what a fact is about; matching on them would make every
# fact "relevant" to every task.
_STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "do",
        "does",
        "for",
        "from",
        "go",
        "goes",
        "has",
        "have",
        "i",
        "in",
        "is",
        "it",
        "its",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "please",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "this",
        "to",
        "use",
        "used",
        "uses",
        "was",
        "we",
        "when",
        "where",
        "which",
        "with",
        "you",
        "your",
        "into",
        "out",
        "up",
        "can",
        "could",
        "should",
        "would",
        "will",
        "shall",
        "just",
        "also",
        "all",
        "any",
    ]
)
_K1, _B = 1.2, 0.75  # the usual BM25 constants


@dataclass(frozen=True, slots=True)
class MemoryFact:
    """One remembered fact; ``id`` is the store's, stable across runs."""

    id: int
    text: str


def words(text: str) -> list[str]:
    """The content words of ``text``, lower-cased, with a crude plural folding."""
    found = []
    for word in _WORD.findall(text.casefold()):
        if word in _STOP_WORDS or len(word) < 2:
            continue
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        found.append(word)
    return found


def relevant_facts(task: str, facts: Sequence[MemoryFact], limit: int = 5) -> tuple[MemoryFact, ...]:
    """The facts that share words with ``task``, best BM25 score first, at most ``limit``."""
    query = set(words(task))
    if not query or not facts:
        return ()
    documents = [Counter(words(fact.text)) for fact in facts]
    average = sum(sum(d.values()) for d in documents) / len(documents) or 1.0
    frequency = Counter(word for d in documents for word in d)
    scored = []
    for index, (fact, document) in enumerate(zip(facts, documents, strict=True)):
        length = sum(document.values())
        score = 0.0
        for word in query & document.keys():
            idf = math.log(1 + (len(facts) - frequency[word] + 0.5) / (frequency[word] + 0.5))
            tf = document[word]
            score += idf * tf * (_K1 + 1) / (tf + _K1 * (1 - _B + _B * length / average))
        if score > 0:
            scored.append((-score, index, fact))
    return tuple(fact for _, _, fact in sorted(scored)[:limit])


def prompt_with_memories(task: str, facts: Sequence[MemoryFact]) -> str:
    """The task as the model reads it: the user's words, then what it should remember.

    The facts are marked as the user's own notes so the model treats them as context, not
    as the task; the task text stays first and unchanged.
    """
    text = task.strip()
    if not facts:
        return text
    notes = "\n".join(f"- {fact.text}" for fact in facts)
    return f"{text}\n\nWhat the user asked you to remember (use it if it helps):\n{notes}"
