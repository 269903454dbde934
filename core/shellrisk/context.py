"""The small types the shell classifier's parts share: findings, pipe feeds, the context.

Kept apart so the program handlers (``shellrisk.programs``, ``shellrisk.files``) and the walker
(``shellrisk.walk``) can use one another's types without importing one another.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from deskhand.core.shellrisk.paths import PathKind
from deskhand.core.shellrisk.words import Field

__all__ = ["Context", "Feed", "Finding", "Handler", "operands"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule that applies, with the detail a user reads ("deletes ~ recursively")."""

    rule: str
    detail: str


@dataclass(frozen=True, slots=True)
class Feed:
    """What a command writes to its stdout, as far as risk cares.

    ``origins``: "network" (downloaded) and/or "decoder" (decoded, i.e. hidden from view);
    ``text``: the exact output when it is a constant (``echo``/``printf``).
    """

    origins: frozenset[str] = frozenset()
    text: str | None = None
    source: str = ""


class Context(Protocol):
    """What a program handler may know and do while judging one command."""

    cwd: str | None
    env: dict[str, str]
    stdin: Feed | None
    downloaded: set[str]
    functions: set[str]

    def add(self, rule: str, detail: str) -> None: ...

    def kind(self, path: str) -> PathKind: ...

    def code(self, text: str, *, origins: frozenset[str] = ..., dynamic: bool = ...) -> None: ...

    def run_argv(self, fields: list[Field]) -> None: ...

    def assign(self, name: str, value: Field, *, persist: bool) -> None: ...


# A program handler: judges ``name args...`` by adding findings to the context.
Handler = Callable[[Context, str, list[Field]], None]


def operands(args: list[Field], with_value: frozenset[str] = frozenset()) -> tuple[list[Field], list[Field]]:
    """Split arguments into (options, operands); options in ``with_value`` take the next word.

    Long options written ``--name=value`` carry their value; ``--`` ends the options.
    """
    options: list[Field] = []
    rest: list[Field] = []
    i = 0
    while i < len(args):
        a = args[i].text
        if a == "--":
            rest.extend(args[i + 1 :])
            break
        if a.startswith("-") and len(a) > 1:
            options.append(args[i])
            if a in with_value and i + 1 < len(args):
                options.append(args[i + 1])
                i += 1
        else:
            rest.append(args[i])
        i += 1
    return options, rest
