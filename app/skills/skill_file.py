"""A skill as a file people can read and edit: YAML, one file per skill.

Why YAML: steps read as a list of short records, with the step in words (``say``) first,
and Unicode text ("Grüße aus Köln") stays as typed.  Loading validates the whole file
against ``deskhand.core.skill.Skill``; whatever is wrong is reported in one line naming
the skill, the file's line and the field ("line 14: steps.2.target.role: ..."), so a
hand edit is easy to fix.  Only plain YAML is read (``safe_load``): no tags, no objects.
"""

from __future__ import annotations

from typing import Any

import yaml
from pydantic import ValidationError

from deskhand.core.skill import Skill, SkillError

__all__ = ["SkillFileError", "dump_skill", "parse_skill"]

_HEADER = """\
# Deskhand skill "{name}" -- edit freely; `deskhand skills run {name}` replays it.
# Each step's `say` is what the model is asked to do if replay cannot find the target.
# {{{{name}}}} in a `type` text or `shell` command is a parameter, declared under `params`.
# `crop` is a small picture of the target (base64 PNG), used only when nothing else finds it.
"""
_FIRST = ("kind", "say")


class SkillFileError(SkillError):
    """A skill file that does not parse or validate; the message names skill and line."""


def dump_skill(skill: Skill) -> str:
    """The skill as YAML text (a header comment, then the fields, steps in words first)."""
    data = skill.model_dump(mode="json", exclude_defaults=True)
    data["format"] = skill.format
    steps = []
    for step in skill.steps:
        fields = {"kind": step.kind, **step.model_dump(mode="json", exclude_defaults=True)}
        steps.append({**{k: fields[k] for k in _FIRST if k in fields}, **fields})
    data["steps"] = steps
    ordered = {k: data[k] for k in ("format", "name", "description", "params", "steps") if k in data}
    body: str = yaml.safe_dump(ordered, allow_unicode=True, sort_keys=False, width=1_000_000)
    return _HEADER.format(name=skill.name) + body


def parse_skill(text: str, name: str) -> Skill:
    """The skill in ``text``; raises ``SkillFileError`` (one line) if it is not valid.

    ``name`` is the file's name: the skill inside must be called the same.
    """
    try:
        data = yaml.safe_load(text)
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise SkillFileError(f"Skill '{name}' is not valid YAML: {where}{problem}.") from exc
    if not isinstance(data, dict):
        raise SkillFileError(
            f"Skill '{name}' is not valid: line 1: the file must be a mapping (name:, steps:)."
        )
    try:
        skill = Skill.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = tuple(error["loc"])
        path = ".".join(str(p) for p in loc) or "(top)"
        line = _line_of(root, loc)
        raise SkillFileError(f"Skill '{name}' is not valid: line {line}: {path}: {error['msg']}.") from exc
    if skill.name != name:
        raise SkillFileError(
            f"Skill '{name}' is not valid: line {_line_of(root, ('name',))}: name: the file says "
            f"'{skill.name}'; a skill's name must match its file name."
        )
    return skill


def _line_of(node: Any, loc: tuple[Any, ...]) -> int:
    """The 1-based line of the deepest node ``loc`` reaches (a union tag in loc is skipped)."""
    line = node.start_mark.line + 1 if node is not None else 1
    for part in loc:
        child = None
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == str(part)), None)
            if child is None and isinstance(part, str):
                continue  # a union's tag ("click") or a missing field: stay on this node
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            child = node.value[part]
        if child is None:
            break
        node = child
        line = node.start_mark.line + 1
    return line
