"""Keeps, for each action a task runs, what ``deskhand skills save`` will need of it.

Why as the action starts: a skill step must say *what* a click acted on (the element, its
window, its label, a crop), and only the screen before the click shows that -- afterwards
a menu has closed or a window has gone.  So, as each approved action is about to run (the
loop's ``ActionJournal``), the point it acts on is described with the same lookup replay
uses (``deskhand.vision.lookup``); when it has ended, the action (as recorded: a password
typed is already redacted), that description, the screenshot's fingerprint and the
outcome go into the audit log (``skill_actions``).  A lookup that fails only leaves the
target undescribed; a write that fails stops the task, as any audit write does.

``Beside`` takes the describing off the click's path without moving it: the lookup (window
and accessibility queries, a crop of the grab) runs in a helper thread while the audit log
writes the action's "started" record, and both are done before the action starts.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence
from typing import Any

from deskhand.app.store.audit_log import AuditLog
from deskhand.core.actions import PointerAction
from deskhand.core.element_info import UNREADABLE_ROLE
from deskhand.core.geometry import ScreenPoint
from deskhand.core.observation import Observation
from deskhand.core.outcome import OutcomeEntry
from deskhand.core.ports import ActionJournal
from deskhand.core.skill_target import TargetLookup
from deskhand.core.trace import StepRecord, action_json

__all__ = ["Beside", "TargetJournal"]

log = logging.getLogger(__name__)


class TargetJournal:
    """An ``ActionJournal`` writing one ``skill_actions`` row per action that ran."""

    def __init__(self, audit: AuditLog, task_id: int, lookup: TargetLookup) -> None:
        self.audit, self.task_id, self.lookup = audit, task_id, lookup
        self._target: dict[str, Any] | None = None

    def started(self, step: StepRecord, observation: Observation) -> None:
        self._target = None
        if not step.actions or not isinstance(step.actions[-1], PointerAction):
            return
        where = step.screen_targets[-1] if step.screen_targets else None
        if where is None:
            return
        try:
            point = ScreenPoint(x=where[0], y=where[1])
            target = self.lookup.describe(point, observation, label=_label_read(step))
        except Exception:  # a lookup that fails leaves the target undescribed, never stops the task
            log.warning("could not describe the target at %s", where, exc_info=True)
            return
        self._target = target.model_dump(mode="json")

    def ended(self, step: StepRecord, outcome: OutcomeEntry, observation: Observation) -> None:
        if not step.actions:
            return
        index = len(step.actions) - 1
        record = {
            "action": action_json(step.actions[-1]),
            "target": self._target,
            "fingerprint": observation.fingerprint.hex(),
            "outcome": outcome.words,  # kept as words; ``skill_save`` reads the kind back from them
        }
        self._target = None
        self.audit.add_skill_action(self.task_id, step.step, index, record)


class Beside:
    """``journals`` in order, with ``beside``'s ``started`` run alongside them in a helper
    thread; ``started`` returns once all are done, so each still has the action before it
    runs, and raises what a journal raised (a record that could not be written stops the
    task before the action, as without ``beside``).  ``ended`` goes in order, ``beside`` last."""

    def __init__(self, journals: Sequence[ActionJournal], beside: ActionJournal) -> None:
        self.journals, self.beside = tuple(journals), beside

    def started(self, step: StepRecord, observation: Observation) -> None:
        failed: list[BaseException] = []

        def describe() -> None:
            try:
                self.beside.started(step, observation)
            except BaseException as exc:  # handed to the caller's thread, raised there
                failed.append(exc)

        helper = threading.Thread(target=describe, name="deskhand-describe", daemon=True)
        helper.start()
        try:
            for journal in self.journals:
                journal.started(step, observation)
        finally:
            helper.join()
        if failed:
            raise failed[0]

    def ended(self, step: StepRecord, outcome: OutcomeEntry, observation: Observation) -> None:
        for journal in (*self.journals, self.beside):
            journal.ended(step, outcome, observation)


_DESCRIBED = re.compile(r'^"(.*)" \((.*)\)$')


def _label_read(step: StepRecord) -> str:
    """The words the policy's inspector found under the action (``ElementInfo.describe``'s
    '"Pear" (push button)'), so they are not read again; "" when it found none."""
    found = step.targets[-1] if step.targets else None
    match = _DESCRIBED.match(found or "")
    if match is None or match.group(2) == UNREADABLE_ROLE or match.group(1).endswith("…"):
        return ""
    return match.group(1)
