"""Skills in the tray app: run one (Skills window, command bar), save a task as one, teach one.

The controller owns the running task; this only decides *what* to start.  A skill run
from here is started through ``DeskhandApp.start_replay``, i.e. the tray's own task worker
with the same wiring, approver dialog, audit log and stop as every task -- the replay of
``deskhand.core.replay`` inside it judges each step with the same policy and gate.  Bad
input (no such skill, a missing parameter, a broken file) is said where it was typed --
the command bar or the Skills window -- and nothing starts.

Teaching from the tray holds the desktop (no task may start while the user shows one),
records until the stop hotkey or the teaching bar's Stop, then asks for a name in a
review dialog listing the steps in words.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from contextlib import ExitStack
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

from deskhand.app.platform.chords import parse_chord
from deskhand.app.platform.task_lock import desktop_lock
from deskhand.app.skills.skill_invocation import parse_invocation
from deskhand.app.skills.skill_save import skill_from_task
from deskhand.app.skills.skill_store import SkillStore
from deskhand.app.skills.teach_session import DesktopLook, TeachSession
from deskhand.app.skills.teach_skill import kept_out_note, taught_skill
from deskhand.core.demonstration import ShownStep
from deskhand.core.errors import DeskhandError
from deskhand.core.skill import Skill, SkillError, bind
from deskhand.core.skill_steps import say
from deskhand.core.skill_target import Target

if TYPE_CHECKING:
    from deskhand.app.tray.controller import DeskhandApp
    from deskhand.app.windows.skill_name import SkillNameDialog
    from deskhand.app.windows.skills import SkillsWindow
    from deskhand.app.windows.teach_bar import TeachBar

__all__ = ["SkillsTray"]

log = logging.getLogger(__name__)

PREVIEW_NAME = "new-skill"  # the demonstration is put in words before it has a name


class SkillsTray(QObject):
    def __init__(self, app: DeskhandApp) -> None:
        super().__init__()
        self.app = app
        self.window: SkillsWindow | None = None
        self.dialog: SkillNameDialog | None = None  # naming a skill to save (one at a time)
        self.teaching: TeachSession[Target] | None = None
        self._look: DesktopLook | None = None
        self._held = ExitStack()
        self._poll: QTimer | None = None
        self._bar: TeachBar | None = None

    def store(self) -> SkillStore:
        return SkillStore.for_settings(self.app.settings())

    # -- running -------------------------------------------------------------------------

    def run(self, name: str, values: dict[str, str]) -> str:
        """Start skill ``name`` with ``values``; "" when it started, else why not (one line)."""
        try:
            skill = self.store().load(name)
            steps = bind(skill, values)
        except DeskhandError as exc:
            return str(exc)
        except SkillError as exc:
            return str(exc)
        if self.app.start_replay(skill, steps):
            return ""
        return "Deskhand could not start it now (see the notification)."

    def command(self, text: str) -> bool:
        """The command bar's ``/name key=value``; on bad input the bar opens again, saying why."""
        try:
            name, values = parse_invocation(text)
        except SkillError as exc:
            self._command_problem(text, str(exc))
            return False
        problem = self.run(name, values)
        if problem:
            self._command_problem(text, problem)
        return not problem

    def _command_problem(self, text: str, problem: str) -> None:
        bar = self.app.command_bar
        bar.open(self.app.session.recent.items, problem)
        bar.entry.setText(text)

    # -- windows -------------------------------------------------------------------------

    def open_window(self) -> None:
        from deskhand.app.windows.skills import SkillsWindow

        if self.window is None:
            window = SkillsWindow(self.store, self.run)
            window.teach_requested.connect(lambda: self.teach())
            self.window = window
        self.window.reload()
        self.window.show()
        self.window.raise_()
        self.window.activateWindow()

    def save_task(self, task_id: int | None) -> None:
        """ "Save as skill…" on a finished task (run view, History): ask for a name, save it."""
        from deskhand.app.windows.skill_name import SkillNameDialog

        if task_id is None:
            self.app.notify("Deskhand", "There is no finished task to save yet.", False)
            return

        def save(name: str, literals: dict[str, str]) -> Skill:
            audit = self.app.audit()
            skill = skill_from_task(name, audit, task_id, literals)
            self.store().save(skill)
            return skill

        self._ask_name(SkillNameDialog(f"Save task {task_id} as a skill", [], save, self.store().exists))

    def _ask_name(self, dialog: SkillNameDialog) -> None:
        if self.dialog is not None:
            self.dialog.close()
        dialog.saved.connect(lambda skill: self._saved(skill))
        dialog.finished.connect(lambda _code: self._dialog_done(dialog))
        self.dialog = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    def _dialog_done(self, dialog: SkillNameDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def _saved(self, skill: Skill) -> None:
        self.app.notify("Deskhand: skill saved", f"'{skill.name}', {len(skill.steps)} steps", False)
        if self.window is not None:
            self.window.reload()

    # -- teaching ------------------------------------------------------------------------

    def teach(self) -> bool:
        """Tray "Teach a skill…": record until the stop hotkey (or the bar's Stop)."""
        from deskhand.app.windows.teach_bar import TeachBar

        if self.teaching is not None or self.app.session.running:
            self.app.notify("Deskhand is busy", "Finish the running task or demonstration first.", False)
            return False
        settings = self.app.settings()
        chord = parse_chord(settings.hotkey_stop)
        try:
            self._held.enter_context(desktop_lock("the Deskhand tray app (teaching a skill)"))
            self._look = DesktopLook()
            session: TeachSession[Target] = TeachSession(
                stop_chord=(chord.modifiers, chord.key), look=self._look.look, focus=self._look.focus
            )
            session.start()
        except DeskhandError as exc:
            self._end_teaching()
            self.app.notify("Deskhand: cannot teach now", str(exc), True)
            return False
        self.teaching = session
        bar = TeachBar(settings.hotkey_stop)
        bar.stop_clicked.connect(lambda: self.finish_teaching())
        bar.show_near_cursor()
        self._bar = bar
        self._poll = QTimer(self)
        self._poll.setInterval(100)
        self._poll.timeout.connect(self._check_teaching)
        self._poll.start()
        return True

    def _check_teaching(self) -> None:
        if self.teaching is not None and (self.teaching.finished.is_set() or self.teaching.failure):
            self.finish_teaching()

    def finish_teaching(self) -> None:
        """Stop recording, then review the steps and ask for a name."""
        session = self.teaching
        if session is None:
            return
        shown = session.stop()
        failure = session.failure
        self._end_teaching()
        if failure is not None:
            self.app.notify("Deskhand: recording stopped", f"Recording your input failed: {failure}.", True)
            return
        self.review(shown, session.kept_out)

    def review(self, shown: list[ShownStep[Target]], kept_out: Sequence[str] = ()) -> None:
        """The review: the steps in words, a name and parameters to keep them under;
        ``kept_out``: why typing was kept secret (``TeachSession.kept_out``)."""
        from deskhand.app.windows.skill_name import SkillNameDialog

        try:
            preview = taught_skill(PREVIEW_NAME, shown, {})
        except SkillError as exc:
            self.app.notify("Deskhand: nothing to keep", str(exc), False)
            return
        lines = [f"{n}. {say(step)}" for n, step in enumerate(preview.skill.steps, 1)]
        lines += [f"left out: {why}" for why in preview.left_out]
        lines += [kept_out_note(why) for why in kept_out]

        def save(name: str, literals: dict[str, str]) -> Skill:
            skill = taught_skill(name, shown, literals).skill
            self.store().save(skill)
            return skill

        self._ask_name(SkillNameDialog("Keep what you showed as a skill", lines, save, self.store().exists))

    def _end_teaching(self) -> None:
        if self._poll is not None:
            self._poll.stop()
            self._poll.deleteLater()
            self._poll = None
        if self._bar is not None:
            self._bar.close()
            self._bar.deleteLater()
            self._bar = None
        if self._look is not None:
            self._look.close()
            self._look = None
        self.teaching = None
        self._held.close()

    def shutdown(self) -> None:
        if self.teaching is not None:
            self.teaching.stop()
        self._end_teaching()
        for window in (self.window, self.dialog):
            if window is not None:
                window.close()
