"""``deskhand skills save | run | list | show | delete``: tasks kept as skills, replayed.

Exit codes (README, "Skills"): 0 done; 1 a replay stopped at a step (declined, blocked,
failed, or its target gone and the model could not do it -- the message names the step);
2 bad input (no such skill or task, a missing or unknown parameter, a skill file that does
not validate, a task that cannot be saved); 3 stopped by the user.  A replay runs with all
of ``do``'s options, its step record and audit log, and through the same gate.
"""

from __future__ import annotations

import argparse
import sys

from deskhand.app.cli.run_command import run_in_terminal
from deskhand.app.cli.terminal import one_line
from deskhand.app.platform.task_lock import desktop_lock
from deskhand.app.skills.skill_save import last_task_id, skill_from_task
from deskhand.app.skills.skill_store import SkillStore
from deskhand.app.store.config import load_settings
from deskhand.app.task_session import TaskSession, open_audit_log
from deskhand.core.errors import UsageError
from deskhand.core.loop import TaskResult
from deskhand.core.replay import run_replay
from deskhand.core.skill import Skill, SkillError, bind, parse_params
from deskhand.core.skill_steps import say

__all__ = ["parse_params", "run_skills"]


def run_skills(args: argparse.Namespace) -> int:
    try:
        match args.skills_command:
            case "save":
                return _save(args)
            case "run":
                return _run(args)
            case "list":
                return _list()
            case "show":
                return _show(args.name)
            case "delete":
                return _delete(args.name)
    except SkillError as exc:
        raise UsageError(str(exc)) from exc
    raise UsageError(f"unknown skills command {args.skills_command!r}")  # pragma: no cover - argparse


def _store() -> SkillStore:
    return SkillStore.for_settings(load_settings())


def _save(args: argparse.Namespace) -> int:
    settings = load_settings()
    store = SkillStore.for_settings(settings)
    store.path(args.name)  # a bad name is refused before anything is read
    literals = parse_params(args.param)
    audit = open_audit_log(settings)
    try:
        task_id = last_task_id(audit) if args.last else args.task
        skill = skill_from_task(args.name, audit, task_id, literals)
    finally:
        audit.close()
    replaced = " (replacing the one of that name)" if store.exists(skill.name) else ""
    path = store.save(skill)
    sys.stdout.write(f"Saved skill '{skill.name}' ({len(skill.steps)} steps) to {path}{replaced}\n")
    _write_steps(skill)
    return 0


def _run(args: argparse.Namespace) -> int:
    skill = _store().load(args.name)
    steps = bind(skill, parse_params(args.param))  # bad parameters: refused before anything runs

    def replay(session: TaskSession) -> TaskResult:
        return run_replay(skill, steps, session.parts, session.limits, session.lookup).result

    with desktop_lock(f"deskhand skills run {skill.name}"):
        return run_in_terminal(
            args,
            f"skill {skill.name}",
            runner=replay,
            max_steps=2 * len(steps) + 2,  # each step once, a redo after a failed check, the last check
        )


def _list() -> int:
    store = _store()
    names = store.names()
    if not names:
        sys.stdout.write("No skills yet: `deskhand skills save NAME --last` keeps the last task as one.\n")
    for name in names:
        try:
            skill = store.load(name)
        except SkillError as exc:
            sys.stdout.write(f"{name} (cannot be used: {one_line(str(exc), None)})\n")
            continue
        params = f"; parameters: {', '.join(skill.params)}" if skill.params else ""
        line = f"{name} ({len(skill.steps)} steps{params}): {skill.description or '(no description)'}"
        sys.stdout.write(one_line(line, None) + "\n")
    return 0


def _show(name: str) -> int:
    skill = _store().load(name)
    sys.stdout.write(f"{skill.name}: {skill.description or '(no description)'}\n")
    for key, param in skill.params.items():
        shown = "secret: give it each time" if param.secret else f"default {param.default!r}"
        sys.stdout.write(f"  --param {key}=...  ({shown})\n")
    _write_steps(skill)
    return 0


def _write_steps(skill: Skill) -> None:
    for number, step in enumerate(skill.steps, 1):
        check = "  (expects the screen to change)" if step.expect == "change" else ""
        sys.stdout.write(f"  {number}. {one_line(say(step), None)}{check}\n")


def _delete(name: str) -> int:
    _store().delete(name)
    sys.stdout.write(f"Deleted skill '{name}'.\n")
    return 0
