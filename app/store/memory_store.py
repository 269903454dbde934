"""Remembered facts: added by the user, or by the model after the user said yes.

The one gate for what may be kept is here, so the CLI, the tray, the Settings page and the
model's ``remember`` action cannot disagree: a fact that looks like a secret (the secret
scanner, ``deskhand.core.secret_scan``) is refused whoever asks.  Recall is the BM25 choice
of ``deskhand.core.memory``, run over every fact at the start of a task.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from deskhand.app.store.personal_db import PersonalDatabase
from deskhand.core.errors import ExecutionFailed, UsageError
from deskhand.core.memory import MAX_FACT_CHARS, MemoryFact, relevant_facts
from deskhand.core.secret_scan import secret_kind

__all__ = ["MemoryStore", "StoredFact"]


@dataclass(frozen=True, slots=True)
class StoredFact:
    id: int
    text: str
    source: str  # "user" (added by hand) or "model" (proposed, then allowed)
    created_at: float

    @property
    def fact(self) -> MemoryFact:
        return MemoryFact(self.id, self.text)


class MemoryStore:
    """The ``memories`` table of the personal database; also the loop's ``MemoryWriter``."""

    def __init__(self, path: Path) -> None:
        self.db = PersonalDatabase(path)

    def add(self, text: str, *, source: str = "user") -> int:
        """Keep ``text``; raises ``UsageError`` if it is empty, too long or looks secret."""
        fact = " ".join(text.split())
        if not fact:
            raise UsageError(
                'Tried to remember an empty note. Say what to remember, e.g. `deskhand memory add "my editor is mousepad"`.'
            )
        if len(fact) > MAX_FACT_CHARS:
            raise UsageError(
                f"Tried to remember a note of {len(fact)} characters, but notes are kept short "
                f"(at most {MAX_FACT_CHARS}). Split it into shorter facts."
            )
        kind = secret_kind(fact)
        if kind is not None:
            raise UsageError(
                f"Tried to remember a note, but it seems to contain {kind}. "
                "Deskhand never keeps secrets in memory; leave the secret out."
            )
        with self.db.transaction() as db:
            cursor = db.execute(
                "INSERT INTO memories (text, source, created_at) VALUES (?, ?, ?)",
                (fact, source, time.time()),
            )
        return int(cursor.lastrowid or 0)

    def remember(self, text: str) -> int:
        """The loop's ``MemoryWriter``: a note the model proposed and the user allowed."""
        try:
            return self.add(text, source="model")
        except UsageError as exc:
            raise ExecutionFailed(str(exc)) from None

    def facts(self) -> list[StoredFact]:
        rows = self.db.query("SELECT id, text, source, created_at FROM memories ORDER BY id")
        return [StoredFact(int(i), str(t), str(s), float(c)) for i, t, s, c in rows]

    def forget(self, fact_id: int) -> bool:
        with self.db.transaction() as db:
            cursor = db.execute("DELETE FROM memories WHERE id = ?", (fact_id,))
        return cursor.rowcount > 0

    def clear(self) -> int:
        with self.db.transaction() as db:
            cursor = db.execute("DELETE FROM memories")
        return cursor.rowcount

    def recall(self, task: str) -> Sequence[MemoryFact]:
        """The facts relevant to ``task`` (``Parts.recall``)."""
        return relevant_facts(task, [f.fact for f in self.facts()])

    def export_text(self) -> str:
        """Every fact as plain text, one per line: what the user keeps if they leave."""
        return "".join(f"{fact.text}\n" for fact in self.facts())
