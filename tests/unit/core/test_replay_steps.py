"""Replay in the pure core: found targets are acted on without the model, the model is asked
only for a step not found or whose expected change did not show, and every action passes
the policy and the gate -- a replay stops at the first step it cannot do, naming it."""

from __future__ import annotations

from dataclasses import dataclass, field

from deskhand.core.actions import Click, RunShell, TypeText
from deskhand.core.approval import UserAnswer
from deskhand.core.errors import ModelError
from deskhand.core.faults import PauseAndRetry
from deskhand.core.geometry import Rect, ScreenPoint
from deskhand.core.loop import Limits, TaskStatus
from deskhand.core.observation import Completion, Observation
from deskhand.core.replay import run_replay
from deskhand.core.skill import Param, bind, build_skill
from deskhand.core.skill_steps import ClickStep, ShellStep, TypeStep
from deskhand.core.skill_target import Found, NotFound, Target
from tests.fakes import (
    FakeApprover,
    FakeModel,
    FakeScreen,
    RecordingExecutor,
    RecordingSink,
    make_parts,
    reply,
)

APPLE = Target(role="push button", name="Apple", window="Orchard Panel")
PEAR = Target(role="push button", name="Pear", window="Orchard Panel")


@dataclass
class FakeLookup:
    places: dict[str, ScreenPoint]
    asked: list[str] = field(default_factory=list)

    def describe(self, point: ScreenPoint, observation: Observation, *, label: str | None = None) -> Target:
        raise AssertionError("replay never describes")

    def find(self, target: Target, observation: Observation) -> Found | NotFound:
        self.asked.append(target.name)
        point = self.places.get(target.name)
        if point is None:
            return NotFound("no element matches")
        return Found(point, "accessibility", Rect(point.x - 5, point.y - 5, 10, 10))


def skill() -> object:
    return build_skill(
        "orchard",
        [ClickStep(target=APPLE), TypeStep(text="{{note}}"), ShellStep(command="touch ~/{{note}}.txt")],
        {"note": Param(default="greeting")},
    )


def test_found_targets_replay_without_the_model() -> None:
    s = skill()
    parts, pieces = make_parts([], approver=FakeApprover(UserAnswer.ALLOW_ONCE))
    lookup = FakeLookup({"Apple": ScreenPoint(x=960, y=540)})
    done = run_replay(s, bind(s, {"note": "Köln"}), parts, Limits(max_steps=10), lookup)  # type: ignore[arg-type]
    assert done.result.status is TaskStatus.FINISHED, done.result.message
    assert done.model_calls == 0
    executed = [a.action for a in pieces["executor"].executed]  # type: ignore[attr-defined]
    assert isinstance(executed[0], Click)
    assert parts.screen.observe().geometry.to_screen(executed[0].at) == ScreenPoint(x=960, y=540)
    assert executed[1:] == [TypeText(text="Köln"), RunShell(command="touch ~/Köln.txt")]
    asked = pieces["approver"].asked  # type: ignore[attr-defined]
    assert [a.kind for a, _ in asked] == ["run_shell"]  # the confirm is asked again: no stored approval
    records = pieces["sinks"][0].records  # type: ignore[index]
    assert [(r.skill_step, r.found_by) for r in records] == [(1, "accessibility"), (2, None), (3, None)]
    assert "Replayed skill 'orchard': 3 steps." in done.result.message


def test_a_target_not_found_is_the_models_step_then_replay_goes_on() -> None:
    s = build_skill("two", [ClickStep(target=PEAR), ClickStep(target=APPLE)])
    model = FakeModel([reply({"kind": "click", "at": {"x": 100, "y": 100}})])
    parts, pieces = make_parts([], model=model)
    lookup = FakeLookup({"Apple": ScreenPoint(x=960, y=540)})
    done = run_replay(s, bind(s, {}), parts, Limits(max_steps=10), lookup)  # type: ignore[arg-type]
    assert done.result.status is TaskStatus.FINISHED and done.model_calls == 1
    task = model.conversations[0].turns[1].text
    assert task.startswith("click the button 'Pear' in 'Orchard Panel'")
    records = pieces["sinks"][0].records  # type: ignore[index]
    assert [r.found_by for r in records] == ["model", "accessibility"]


def test_a_check_that_fails_has_the_model_redo_the_step_once() -> None:
    s = build_skill("check", [ClickStep(target=APPLE, expect="change"), TypeStep(text="x")])
    model = FakeModel([reply({"kind": "finish", "summary": "it is done"})])
    screen = FakeScreen(fingerprints=[bytes(2304)])  # the screen never changes
    parts, pieces = make_parts([], model=model, screen=screen)
    done = run_replay(
        s, bind(s, {}), parts, Limits(max_steps=10), FakeLookup({"Apple": ScreenPoint(x=5, y=5)})
    )  # type: ignore[arg-type]
    assert done.result.status is TaskStatus.FINISHED, done.result.message
    assert done.model_calls == 1
    records = pieces["sinks"][0].records  # type: ignore[index]
    assert [(r.skill_step, r.found_by) for r in records] == [(1, "accessibility"), (1, "model"), (2, None)]


def test_blocked_or_declined_steps_stop_the_replay_and_name_the_step() -> None:
    s = build_skill("wipe", [TypeStep(text="hello"), ShellStep(command="rm -rf ~"), TypeStep(text="after")])
    parts, pieces = make_parts([], approver=FakeApprover(UserAnswer.ALLOW_FOR_TASK))
    done = run_replay(s, bind(s, {}), parts, Limits(max_steps=10), FakeLookup({}))  # type: ignore[arg-type]
    assert done.result.status is TaskStatus.FAILED
    assert done.result.message.startswith(
        "Step 2 of skill 'wipe' (run `rm -rf ~`) stopped: blocked by policy"
    )
    assert done.result.message.endswith("step 1 was done.")
    assert [a.action for a in pieces["executor"].executed] == [TypeText(text="hello")]  # type: ignore[attr-defined]

    s = build_skill("touch", [ShellStep(command="touch ~/x")])
    parts, pieces = make_parts([])  # the approver denies
    done = run_replay(s, bind(s, {}), parts, Limits(max_steps=10), FakeLookup({}))  # type: ignore[arg-type]
    assert done.result.status is TaskStatus.FAILED and "denied by the user" in done.result.message
    assert pieces["executor"].executed == []  # type: ignore[attr-defined]


def test_the_model_giving_up_on_a_missing_target_fails_the_replay() -> None:
    s = build_skill("gone", [ClickStep(target=PEAR)])
    model = FakeModel([reply({"kind": "finish", "summary": "no Pear here", "success": False})])
    parts, pieces = make_parts([], model=model, sinks=[RecordingSink()], executor=RecordingExecutor())
    done = run_replay(s, bind(s, {}), parts, Limits(max_steps=10), FakeLookup({}))  # type: ignore[arg-type]
    assert done.result.status is TaskStatus.FAILED
    assert (
        "Step 1 of skill 'gone' (click the button 'Pear' in 'Orchard Panel') stopped" in done.result.message
    )
    assert "no Pear here" in done.result.message and "no step was done" in done.result.message
    assert pieces["executor"].executed == []  # type: ignore[attr-defined]


def test_a_change_seen_in_the_caret_on_phase_counts_as_the_steps_change() -> None:
    """A click into a text field on a big screen: the focus ring alone moves a cell by less
    than the repeat guard's tolerance (5), the caret on as well by 5.  Caught with the caret off,
    the first look sees no change; a look again within one blink does, so the model is not asked."""
    s = build_skill("field", [ClickStep(target=APPLE, expect="change"), TypeStep(text="x")])
    before, caret_on = bytes(2304), bytes([5]) + bytes(2303)
    # 1: the step acts; 2: the check, caret off (alike); 3: a look again, caret on.
    screen = FakeScreen(fingerprints=[before, before, caret_on])
    parts, pieces = make_parts([], model=FakeModel([]), screen=screen)
    done = run_replay(
        s, bind(s, {}), parts, Limits(max_steps=10), FakeLookup({"Apple": ScreenPoint(x=5, y=5)})
    )  # type: ignore[arg-type]
    assert done.result.status is TaskStatus.FINISHED, done.result.message
    assert done.model_calls == 0
    records = pieces["sinks"][0].records  # type: ignore[index]
    assert [(r.skill_step, r.found_by) for r in records] == [(1, "accessibility"), (2, None)]


def test_a_screen_that_stays_alike_while_looking_again_still_has_the_model_redo_the_step() -> None:
    s = build_skill("dead", [ClickStep(target=APPLE, expect="change"), TypeStep(text="x")])
    blink = bytes([2]) + bytes(2303)  # a faint flicker: no visible change
    screen = FakeScreen(fingerprints=[bytes(2304), blink, bytes(2304), blink])
    model = FakeModel([reply({"kind": "finish", "summary": "it is done"})])
    parts, _ = make_parts([], model=model, screen=screen)
    done = run_replay(
        s, bind(s, {}), parts, Limits(max_steps=10), FakeLookup({"Apple": ScreenPoint(x=5, y=5)})
    )  # type: ignore[arg-type]
    assert done.result.status is TaskStatus.FINISHED, done.result.message
    assert done.model_calls == 1


class BlipThenAnswers:
    """A model server that fails once in a passing way (a cut stream), then answers."""

    name = "fake-model"

    def __init__(self, replies: list[str]) -> None:
        self.replies = replies
        self.calls = 0

    def complete(self, conversation: object, *, should_stop: object) -> Completion:
        self.calls += 1
        if self.calls == 1:
            raise ModelError("the stream was cut")
        return Completion(self.replies.pop(0), model_ms=10.0, prompt_tokens=100, output_tokens=5)


def test_a_server_blip_while_the_model_redoes_a_step_retries_the_model_not_the_lookup() -> None:
    """The check failed, so the model redoes step 1; its server fails once and the step is run
    again -- by the model still.  Before, the retry replayed the lookup's click, which the
    repeat guard refused ("already done on this same screen"), and the replay failed."""
    s = build_skill("blip", [ClickStep(target=APPLE, expect="change"), TypeStep(text="x")])
    model = BlipThenAnswers([reply({"kind": "finish", "summary": "it is done"})])
    screen = FakeScreen(fingerprints=[bytes(2304)])  # the screen never changes
    pause = PauseAndRetry(notify=lambda notice: None, should_stop=lambda: False, sleep=lambda s: None)
    parts, _ = make_parts([], model=model, screen=screen, faults=pause)
    done = run_replay(
        s, bind(s, {}), parts, Limits(max_steps=10), FakeLookup({"Apple": ScreenPoint(x=5, y=5)})
    )  # type: ignore[arg-type]
    assert done.result.status is TaskStatus.FINISHED, done.result.message
    assert model.calls == 2 and done.model_calls == 2
