"""The planner: a second model that says *what* to do next, in words; the grounder says *where*.

Small local vision models lose the thread of long tasks and misplace clicks; splitting the
work helps both (Agent-S's planner + grounder).  With ``Parts.planner`` set, each step first
asks the planner -- any chat model, text-only or vision -- for the next step in plain words
from the task, what was done so far and the current screen (its screenshot when the planner
reads images, and the observation's text context, e.g. a list of its elements, when there is
one).  The planner's words then become the grounder's instruction: the step's ``model`` turns
them into one action on the screenshot, in its own dialect.  Only the planner says when the
task is done.

The planner answers in a small grammar, read as strictly as a dialect reads its model:
reasoning, then exactly one final line ``Next: ...``, ``Done: ...`` or ``Fail: ...``.  An
answer without one is ``Unparseable`` (repaired once with a reminder, as the grounder's are).
Its time is the step's ``timings_ms.planner``, its answer the record's ``planner_output``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from deskhand.core.actions import Decision, Finish
from deskhand.core.observation import Completion, Conversation, Observation, Turn
from deskhand.core.outcome import StepMemory, Unparseable
from deskhand.core.ports import Model, ShouldStop

__all__ = [
    "PLANNER_SYSTEM",
    "Plan",
    "PlanKind",
    "Planner",
    "ask_planner",
    "ends_early",
    "grounder_task",
    "parse_plan",
    "plan_conversation",
    "plan_decision",
    "plan_repair",
]

PLANNER_SYSTEM = """You plan the next step of a task on a computer desktop. You do not act yourself: \
another model looks at the screenshot and carries out the one step you describe (a click, typing, \
a key press, scrolling, a drag).

Each turn you get the task, the steps done so far with their results, and the current screen.

Think briefly, then end your answer with exactly one of these lines:
Next: <one concrete step; name the element by its visible text and say where it is, \
e.g. Click the "Save" button at the bottom right of the dialog>
Done: <what was achieved> (only when the screen shows the task is complete)
Fail: <why the task cannot be done>"""

REMINDER = (
    "End your answer with exactly one line of the form\n"
    "Next: <one concrete step>\nor Done: <what was achieved>\nor Fail: <why it cannot be done>"
)
MAX_HISTORY_STEPS = 12  # older steps are summarised as a count: the planner needs the recent ones
_MAX_LINE_CHARS = 600
_FINAL_LINE = re.compile(r"^[ \t>*_#-]*(next|done|fail)[ \t*_]*[:\uff1a][ \t*_]*(.*?)[ \t]*$", re.I | re.M)
_THINK = re.compile(r"<think>.*?</think>", re.S | re.I)


class PlanKind(StrEnum):
    NEXT = "next"
    DONE = "done"
    FAIL = "fail"


@dataclass(frozen=True, slots=True)
class Plan:
    """What the planner said: the kind of its final line, its text, and its reasoning."""

    kind: PlanKind
    text: str
    thought: str = ""


@dataclass(frozen=True, slots=True)
class Planner:
    """The planner model, and whether it reads images (a text-only one gets the text context)."""

    model: Model
    vision: bool = True


def parse_plan(raw: str) -> Plan | Unparseable:
    """The planner's final ``Next:``/``Done:``/``Fail:`` line (the last one wins), or why not."""
    text = _THINK.sub("", raw).strip()
    found = list(_FINAL_LINE.finditer(text))
    if not found:
        return Unparseable(raw=raw, problem="the planner's answer has no 'Next:', 'Done:' or 'Fail:' line")
    last = found[-1]
    kind, words = PlanKind(last.group(1).lower()), " ".join(last.group(2).split())
    if kind is PlanKind.NEXT and not words:
        return Unparseable(raw=raw, problem="the planner's 'Next:' line says no step")
    thought = text[: last.start()].strip()
    return Plan(kind, words[:_MAX_LINE_CHARS], thought)


def plan_conversation(
    planner: Planner,
    task: str,
    history: Sequence[StepMemory],
    observation: Observation,
    context: str = "",
) -> Conversation:
    """The planner's request: the task, the steps so far (as text) and the current screen.

    ``context`` is the observation's text (a list of the screen's elements, say); a
    text-only planner sees the screen through it alone.
    """
    lines = [f"Task: {task.strip()}", "", _steps_so_far(history)]
    if context.strip():
        lines += ["", "What is on the screen now:", context.strip()]
    if planner.vision:
        lines += ["", "The current screenshot is attached."]
    elif not context.strip():
        lines += ["", "(You cannot see the screen; judge by the results of the steps so far.)"]
    lines += ["", "What is the next step?"]
    image = observation.image if planner.vision else None
    return Conversation(turns=(Turn("system", PLANNER_SYSTEM), Turn("user", "\n".join(lines), image)))


def plan_repair(conversation: Conversation, raw: str, problem: str) -> Conversation:
    """The planner's request again, with its unusable answer and what was wrong with it."""
    correction = f"Your last answer could not be used: {problem}.\n{REMINDER}"
    turns = (*conversation.turns, Turn("assistant", raw[:2000]), Turn("user", correction))
    return Conversation(turns=turns)


def _steps_so_far(history: Sequence[StepMemory]) -> str:
    if not history:
        return "Steps so far: none (this is the first step)."
    shown = history[-MAX_HISTORY_STEPS:]
    first = len(history) - len(shown) + 1
    out = ["Steps so far:"]
    if first > 1:
        out.append(f"(steps 1-{first - 1} left out)")
    for number, memory in enumerate(shown, start=first):
        said = memory.plan or "(no plan)"
        done = "; ".join(line for line in memory.feedback.splitlines() if line.strip()) or "nothing was done"
        out.append(f"{number}. {said} -> {done[:_MAX_LINE_CHARS]}")
    return "\n".join(out)


def grounder_task(task: str, plan: Plan) -> str:
    """The grounder's instruction: the planner's step, with the task as background."""
    return f"{plan.text}\n\n(This step is part of the task: {task.strip()})"


def plan_decision(plan: Plan) -> Decision:
    """A ``Done``/``Fail`` plan as the decision that ends the task (nothing to ground)."""
    success = plan.kind is PlanKind.DONE
    return Decision(thought=plan.thought, actions=(Finish(summary=plan.text, success=success),))


def ask_planner(
    planner: Planner,
    conversation: Conversation,
    *,
    should_stop: ShouldStop,
    repairs: int,
    replied: Callable[[Completion], None],
) -> Plan | Unparseable:
    """Ask the planner, and again with a correction (``repairs`` times) while its answer is
    unusable; ``replied`` is told of every answer (the step's record and timings)."""
    for attempt in range(repairs + 1):
        completion = planner.model.complete(conversation, should_stop=should_stop)
        replied(completion)
        parsed = parse_plan(completion.text)
        if isinstance(parsed, Plan):
            return parsed
        if attempt < repairs:
            conversation = plan_repair(conversation, parsed.raw, parsed.problem)
    return parsed


def ends_early(decision: Decision, plan: Plan) -> str | None:
    """Why a grounder's answer to a ``Next`` step is unusable: it finished the task instead
    of doing the step (only the planner says when the task is done); None if usable."""
    if any(isinstance(action, Finish) for action in decision.actions):
        return f"do this step rather than finish the task: {plan.text}"
    return None
