"""``deskhand teach NAME``: record the user doing a task, review it in words, keep it as a skill.

Recording ends with the stop hotkey (Settings' "stop" chord, Ctrl+Alt+End by default --
the key that stops a task also ends a demonstration); Ctrl+C in the terminal cancels.
The steps are then shown in words, and the skill is kept only on an explicit yes:
``--yes`` keeps it without asking, otherwise a line is read from stdin -- a terminal, or
a pipe (``echo y | deskhand teach …``); no answer (EOF) keeps nothing.  Exit codes: 0 kept,
1 nothing recorded that a skill can keep, 2 bad input or set-up (bad name or --param, no
X11 or no RECORD extension, another task running), 3 cancelled or not kept.

While it records, no task may run on this desktop (the same lock as ``deskhand do``):
the agent's own input must never become part of the user's demonstration.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import TextIO

from deskhand.app.cli.terminal import one_line
from deskhand.app.platform.chords import parse_chord
from deskhand.app.platform.hotkeys_x11 import X11Hotkeys
from deskhand.app.platform.task_lock import desktop_lock
from deskhand.app.skills.skill_store import SkillStore
from deskhand.app.skills.teach_session import DesktopLook, TeachSession
from deskhand.app.skills.teach_skill import NothingShown, Taught, kept_out_note, taught_skill
from deskhand.app.store.config import load_settings
from deskhand.core.demonstration import ShownStep
from deskhand.core.errors import SetupError, UsageError
from deskhand.core.skill import SkillError, parse_params
from deskhand.core.skill_steps import say
from deskhand.core.skill_target import Target

__all__ = ["run_teach", "write_review"]

log = logging.getLogger(__name__)

EXIT_KEPT, EXIT_NOTHING, EXIT_NOT_KEPT = 0, 1, 3


def run_teach(args: argparse.Namespace) -> int:
    try:
        return _teach(args)
    except SkillError as exc:
        raise UsageError(str(exc)) from exc


def _teach(args: argparse.Namespace) -> int:
    settings = load_settings()
    store = SkillStore.for_settings(settings)
    store.path(args.name)  # a bad name is refused before anything is recorded
    literals = parse_params(args.param)
    parse_chord(settings.hotkey_stop)  # a bad chord is refused before anything is recorded
    with desktop_lock(f"deskhand teach {args.name}"):
        recorded = _record(args.name, settings.hotkey_stop)
    if recorded is None:
        sys.stdout.write("Cancelled: nothing was kept.\n")
        return EXIT_NOT_KEPT
    shown, kept_out = recorded
    try:
        taught = taught_skill(args.name, shown, literals)
    except NothingShown as exc:
        sys.stdout.write(f"{exc}\n")
        return EXIT_NOTHING
    write_review(taught, sys.stdout, kept_out)
    replacing = store.exists(args.name)
    if not _keep(args, replacing):
        sys.stdout.write("Not kept.\n")
        return EXIT_NOT_KEPT
    path = store.save(taught.skill)
    params = ", ".join(taught.skill.params)
    run = f"deskhand skills run {args.name}" + "".join(f" --param {p}=..." for p in taught.skill.params)
    sys.stdout.write(f"Saved skill '{args.name}' to {path}{f' (parameters: {params})' if params else ''}.\n")
    sys.stdout.write(f"Replay it with `{run}`.\n")
    return EXIT_KEPT


def _record(name: str, chord_text: str) -> tuple[list[ShownStep[Target]], list[str]] | None:
    """Record until the stop hotkey ``chord_text``: the steps, and why typing was kept out
    (``TeachSession.kept_out``); ``None`` when cancelled with Ctrl+C."""
    chord = parse_chord(chord_text)
    look = DesktopLook()
    session = TeachSession(stop_chord=(chord.modifiers, chord.key), look=look.look, focus=look.focus)
    grab = _swallow_stop_key(chord_text, session)
    try:
        session.start()
        sys.stdout.write(
            f"Recording your clicks, typing and hotkeys for skill '{name}'. Do the task now;\n"
            f"press {chord_text} when you are done (Ctrl+C here cancels).\n"
        )
        sys.stdout.flush()
        while not session.wait(0.2):
            if session.failure is not None:
                raise SetupError(f"Recording your input stopped: {session.failure}.")
    except KeyboardInterrupt:
        session.stop()
        return None
    finally:
        if grab is not None:
            grab.stop()
        steps = session.stop()
        look.close()
    return steps, session.kept_out


def _swallow_stop_key(chord_text: str, session: TeachSession[Target]) -> X11Hotkeys | None:
    """Grab the stop hotkey so the application in front does not get it too (best effort:
    the tray app may hold it already; the recording sees the chord either way).  The grab
    only wakes ``_record``: ``TeachSession.stop`` then still records every event the server
    took before the chord (a click's lookup may be running as the chord comes)."""
    try:
        hotkeys = X11Hotkeys()
        for problem in hotkeys.start({"stop": parse_chord(chord_text)}, lambda _name: session.finished.set()):
            log.info("%s", problem)
        return hotkeys
    except Exception as exc:  # no grab: the chord still ends the recording
        log.info("could not grab the stop hotkey: %s", exc)
        return None


def write_review(taught: Taught, out: TextIO, kept_out: Sequence[str] = ()) -> None:
    """The steps in words, the parameters, and what was left out; ``kept_out``: why typing
    was kept secret though no password field was seen (``TeachSession.kept_out``)."""
    skill = taught.skill
    out.write(f"You showed {len(skill.steps)} step{'s' if len(skill.steps) != 1 else ''}:\n")
    for number, step in enumerate(skill.steps, 1):
        out.write(f"  {number}. {one_line(say(step), None)}\n")
    for key, param in skill.params.items():
        where = "typed into a password field" if not kept_out else "kept secret (see below)"
        what = (
            f"{where}: not stored, asked each run"
            if param.secret
            else f"default {one_line(param.default or '', None)!r}"
        )
        out.write(f"  parameter {key}: {what}\n")
    for why in taught.left_out:
        out.write(f"  left out: {why}\n")
    for why in kept_out:
        out.write(f"  {kept_out_note(why)}\n")


def _keep(args: argparse.Namespace, replacing: bool) -> bool:
    question = (
        f"Replace the skill '{args.name}' with this?" if replacing else f"Keep this as skill '{args.name}'?"
    )
    if args.yes:
        sys.stdout.write(f"{question} yes (--yes)\n")
        return True
    sys.stdout.write(f"{question} [y/N]: ")
    sys.stdout.flush()
    reply = sys.stdin.readline()
    if not reply:
        sys.stdout.write("(no answer)\n")
    return reply.strip().lower() in ("y", "yes")
