"""``deskhand skills save``: a finished task, from the audit log, kept as a skill.

The task's executed actions come from the ``skill_actions`` rows its run left
(``app/skills/skill_journal.py``): each with what it acted on, described as it was about to run.
A step expects a change when the screen the task saw next differed from the one it acted
on.  ``--param KEY=LITERAL`` turns every place that literal was typed, or appears in a
shell command, into ``{{KEY}}`` with the literal as default; text typed into a password
field was never recorded and becomes a secret parameter without a default.  Actions a
skill cannot replay yet (drag, move, remember, MCP tool calls) make saving fail with the
step named, rather than a skill that silently does less.
"""

from __future__ import annotations

from typing import Any

from deskhand.app.skills.skill_params import parametrise
from deskhand.app.store.audit_log import AuditLog
from deskhand.core.outcome import OutcomeEntry, OutcomeKind
from deskhand.core.repeat_guard import screens_alike
from deskhand.core.skill import Param, Skill, SkillError, build_skill
from deskhand.core.skill_steps import ClickStep, ScrollStep, ShellStep, SkillStep, TypeStep, plain_step
from deskhand.core.skill_target import Target

__all__ = ["last_task_id", "skill_from_task"]


def last_task_id(audit: AuditLog) -> int:
    """The newest task in the log (``--last``)."""
    tasks = audit.tasks(limit=1)
    if not tasks:
        raise SkillError("There is no task in the history yet: do one with `deskhand do`, then save it.")
    return tasks[0].id


def skill_from_task(name: str, audit: AuditLog, task_id: int, literals: dict[str, str]) -> Skill:
    """The skill ``name`` made of task ``task_id``'s executed actions; ``SkillError`` if it
    cannot be made (no such task, not finished, nothing recorded, an unreplayable action,
    a literal that was never typed)."""
    summary = audit.task(task_id)
    if summary is None:
        raise SkillError(f"There is no task {task_id} (see `deskhand history`).")
    if summary.status != "finished":
        raise SkillError(
            f"Task {task_id} ended '{summary.status}'; only a task that finished can be kept as a skill."
        )
    rows = [r for r in audit.skill_actions(task_id) if _executed(r)]
    if not rows:
        raise SkillError(
            f"Task {task_id} has no recorded actions to keep (it did nothing, or an older Deskhand ran it)."
        )
    params: dict[str, Param] = {key: Param(default=value) for key, value in literals.items()}
    used: set[str] = set()
    steps: list[SkillStep] = []
    for index, row in enumerate(rows):
        step = _step(row, index + 1, task_id)
        if isinstance(step, TypeStep | ShellStep):
            step, found = parametrise(step, literals, params)
            used |= found
        later = rows[index + 1] if index + 1 < len(rows) else None
        if later is not None and _changed(row, later):
            step = step.model_copy(update={"expect": "change"})
        steps.append(step)
    unused = sorted(set(literals) - used)
    if unused:
        raise SkillError(
            f"--param {unused[0]}: {literals[unused[0]]!r} was never typed or run in task {task_id}, "
            "so it marks nothing."
        )
    return build_skill(name, steps, params, summary.task)


def _step(row: dict[str, Any], number: int, task_id: int) -> SkillStep:
    action: dict[str, Any] = row["action"]
    target = Target.model_validate(row["target"]) if row.get("target") else None
    plain = plain_step(action)
    if plain is not None:
        return plain
    match action.get("kind"):
        case "click":
            return ClickStep(
                target=target or Target(), button=action.get("button", "left"), count=action.get("count", 1)
            )
        case "scroll":
            return ScrollStep(direction=action["direction"], amount=action.get("amount", 3), target=target)
        case other:
            raise SkillError(
                f"Task {task_id}'s action {number} ({other}) cannot be kept in a skill yet "
                "(drag, move, remember and tool calls are not replayed)."
            )


def _executed(row: dict[str, Any]) -> bool:
    """Whether the row's action ran: its outcome, kept as words, read back as its kind (the
    same words a row of any Deskhand version holds)."""
    return OutcomeEntry.read(str(row.get("outcome", ""))).kind is OutcomeKind.EXECUTED


def _changed(row: dict[str, Any], later: dict[str, Any]) -> bool:
    """Whether the screen the next action was decided on differs from this one's."""
    before, after = str(row.get("fingerprint", "")), str(later.get("fingerprint", ""))
    if not before or not after or before == after:
        return False
    return not screens_alike(bytes.fromhex(before), bytes.fromhex(after))
