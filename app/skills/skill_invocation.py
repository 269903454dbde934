"""The command bar's way to run a skill: ``/monday-report team=ops note="two words"``.

A line that starts with ``/`` names a skill, then gives its parameters as ``KEY=VALUE``
words (quoted like a shell's when a value has spaces).  Parsing is all that happens here:
the skill is loaded and its parameters checked (``core.skill.bind``) before anything runs,
and the replay goes through the same gate as any task.
"""

from __future__ import annotations

import shlex

from deskhand.core.skill import SkillError, check_name, parse_params

__all__ = ["PREFIX", "is_invocation", "parse_invocation"]

PREFIX = "/"


def is_invocation(text: str) -> bool:
    return text.lstrip().startswith(PREFIX)


def parse_invocation(text: str) -> tuple[str, dict[str, str]]:
    """``("monday-report", {"team": "ops"})`` from ``"/monday-report team=ops"``;
    ``SkillError`` (one sentence, with an example) when it is not one."""
    body = text.strip().removeprefix(PREFIX)
    try:
        words = shlex.split(body)
    except ValueError as exc:
        raise SkillError(
            f'Cannot read {text.strip()!r}: {exc} (quote values like note="two words").'
        ) from exc
    if not words:
        raise SkillError("Type a skill's name after /, e.g. /monday-report team=ops.")
    name, pairs = words[0], words[1:]
    check_name(name)
    for pair in pairs:
        key, sep, _ = pair.partition("=")
        if not sep or not key.strip():
            raise SkillError(f"{pair!r}: give each parameter as KEY=VALUE, e.g. /{name} team=ops.")
    return name, parse_params(pairs)
