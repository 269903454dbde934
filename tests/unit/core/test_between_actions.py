"""Several actions in one answer: each further pointer action runs only if the screen around
its target is still as the model saw it (``deskhand.core.between``)."""

from __future__ import annotations

from deskhand.core.loop import run_task
from deskhand.core.observation import FINGERPRINT_SIZE
from tests.fakes import FakeScreen, make_parts, reply

COLUMNS, ROWS = FINGERPRINT_SIZE
FIRST = {"kind": "click", "at": {"x": 100, "y": 100}}
SECOND = {"kind": "click", "at": {"x": 1000, "y": 600}}
TYPING = {"kind": "type_text", "text": "hello"}
FINISH = {"kind": "finish", "summary": "ok"}


def fingerprint(changed_at: tuple[float, float] | None = None) -> bytes:
    cells = bytearray([50] * (COLUMNS * ROWS))
    if changed_at is not None:  # image pixels of a 1316x728 image
        x, y = int(changed_at[0] * COLUMNS / 1316), int(changed_at[1] * ROWS / 728)
        cells[y * COLUMNS + x] = 200
    return bytes(cells)


def run(second_look: bytes, *actions: dict[str, object]) -> tuple[list[str], dict[str, object]]:
    screen = FakeScreen(fingerprints=[fingerprint(), second_look, fingerprint()])
    parts, p = make_parts([reply(*actions), reply(FINISH)], screen=screen)
    run_task("t", parts)
    done = [a.action.kind for a in p["executor"].executed]  # type: ignore[attr-defined]
    return done, p


def test_a_change_far_from_the_next_target_lets_it_run() -> None:
    done, p = run(fingerprint(changed_at=(100, 100)), FIRST, SECOND)
    assert done == ["click", "click"]
    assert p["sinks"][0].records[0].dropped == []  # type: ignore[index]


def test_a_change_at_the_next_target_drops_it_and_the_rest() -> None:
    done, p = run(fingerprint(changed_at=(1000, 600)), FIRST, SECOND, TYPING)
    assert done == ["click"]
    record = p["sinks"][0].records[0]  # type: ignore[index]
    assert [d["action"]["kind"] for d in record.dropped] == ["click", "type_text"]
    assert "the screen changed at (1000, 600)" in record.dropped[0]["reason"]
    assert "before it was not done" in record.dropped[1]["reason"]
    feedback = p["model"].conversations[1].turns[2].text  # type: ignore[attr-defined]
    assert "not done: the screen changed" in feedback


def test_actions_without_a_target_run_on_without_looking() -> None:
    screen = FakeScreen(fingerprints=[fingerprint()])
    parts, p = make_parts([reply(FIRST, TYPING), reply(FINISH)], screen=screen)
    run_task("t", parts)
    assert len(p["executor"].executed) == 2  # type: ignore[attr-defined]
    assert screen.count == 2  # one observation per step, none between


def test_a_declined_action_drops_the_rest_on_record() -> None:
    shell = {"kind": "run_shell", "command": "rm notes.txt"}
    parts, p = make_parts([reply(shell, TYPING), reply(FINISH)])
    run_task("t", parts)
    record = p["sinks"][0].records[0]  # type: ignore[index]
    assert (
        record.dropped
        == [
            {
                "action": {"kind": "type_text", "text": "hello"},
                "reason": "run shell `rm notes.txt` before it was not done",
            }
        ]
        or record.dropped[0]["action"]["kind"] == "type_text"
    )


def test_a_change_where_the_earlier_action_acted_is_its_own_doing() -> None:
    move = {"kind": "move", "at": {"x": 1000, "y": 600}}
    drag = {"kind": "drag", "start": {"x": 1000, "y": 600}, "end": {"x": 100, "y": 100}}
    done, p = run(fingerprint(changed_at=(1000, 600)), move, drag)  # the hover highlight
    assert done == ["move", "drag"]
    done, p = run(fingerprint(changed_at=(100, 100)), move, drag)  # but the drag's end moved
    assert done == ["move"]
    assert "the screen changed at (100, 100)" in p["sinks"][0].records[0].dropped[0]["reason"]  # type: ignore[index]
