"""Read the shell corpus: ``corpus/*.txt``, one ``level<TAB>command`` per line.

``#`` lines are comments; ``⏎`` in a command stands for a newline (here-documents,
multi-line scripts).  Kept in plain text so anyone can add a case without touching code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from deskhand.core.verdict import Level

CORPUS = Path(__file__).parent / "corpus"


@dataclass(frozen=True)
class Case:
    level: Level
    command: str
    source: str  # file:line, for messages

    @property
    def id(self) -> str:
        return self.source


def load() -> list[Case]:
    cases = []
    for path in sorted(CORPUS.glob("*.txt")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            level, sep, command = line.partition("\t")
            if not sep or not command:
                raise ValueError(f"{path.name}:{number}: expected 'level<TAB>command', got {line!r}")
            cases.append(Case(Level(level), command.replace("⏎", "\n"), f"{path.name}:{number}"))
    return cases
