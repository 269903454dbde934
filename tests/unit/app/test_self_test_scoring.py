"""The self-test's pure parts: scoring presses against buttons, the report, the guards."""

from __future__ import annotations

import pytest

from deskhand.app.tray.self_test import (
    BoardButton,
    ButtonResult,
    ClickLog,
    DenyAll,
    PointerOnly,
    SelfTestReport,
    score,
)
from deskhand.core.actions import Click, RunShell, TypeText
from deskhand.core.approval import UserAnswer, approve
from deskhand.core.errors import ExecutionFailed
from deskhand.core.geometry import ImagePoint, Rect
from deskhand.core.policy import assess
from tests.fakes import GEOMETRY, FakeScreen, RecordingExecutor
from tests.unit.app.audit_samples import record

BUTTON = BoardButton("Apple", Rect(100, 200, 80, 40))  # centre (140, 220)


def steps(*model_ms: float) -> list:
    out = []
    for i, ms in enumerate(model_ms, start=1):
        r = record(i, [], thought="", outcome="o")
        out.append(r.model_copy(update={"timings_ms": {"model": ms, "total": ms + 100}}))
    return out


def test_a_press_inside_the_button_is_a_hit_with_its_distance_from_the_centre() -> None:
    result = score(BUTTON, [(143, 224), (10, 10)], "finished", steps(800, 700))
    assert result.hit
    assert result.clicked_at == (143, 224)
    assert result.error_px == pytest.approx(5.0)
    assert result.model_ms == (800, 700)
    assert result.step_ms == (900, 800)


def test_only_the_first_press_counts() -> None:
    result = score(BUTTON, [(10, 10), (140, 220)], "finished", [])
    assert not result.hit
    assert result.error_px == pytest.approx(((130**2) + (210**2)) ** 0.5)


def test_the_right_and_bottom_edges_are_outside() -> None:
    assert not score(BUTTON, [(180, 220)], "finished", []).hit
    assert not score(BUTTON, [(140, 240)], "finished", []).hit
    assert score(BUTTON, [(179, 239)], "finished", []).hit


def test_no_press_is_a_miss_without_an_error_distance() -> None:
    result = score(BUTTON, [], "gave_up", [])
    assert (result.hit, result.error_px, result.clicked_at) == (False, None, None)


def test_report_summary() -> None:
    results = (
        ButtonResult("A", True, (1, 1), 2.0, "finished", (1000.0, 1200.0), (900.0, 1100.0)),
        ButtonResult("B", True, (1, 1), 4.0, "finished", (1400.0,), (1300.0,)),
        ButtonResult("C", False, None, None, "gave_up", (1000.0,), (900.0,)),
    )
    report = SelfTestReport(model="m", results=results, planned=3)
    assert report.hits == 2
    assert report.summary() == "2 of 3 clicks landed, median error 3 px, 1.1 s per step (model 1.0 s)"
    stopped = SelfTestReport(model="m", results=results[:1], planned=6)
    assert stopped.summary().startswith("1 of 1 clicks landed (stopped after 1 of 6 targets)")


def test_pointer_only_refuses_typing_and_shell_but_clicks() -> None:
    inner = RecordingExecutor()
    guarded = PointerOnly(inner)
    for action in (TypeText(text="hello"), RunShell(command="ls")):
        approved = approve(action, assess(action), GEOMETRY, user=UserAnswer.ALLOW_ONCE)
        assert approved is not None
        with pytest.raises(ExecutionFailed, match="only lets the model point and click"):
            guarded.execute(approved, should_stop=lambda: False)
    click = Click(at=ImagePoint(x=5, y=5))
    approved_click = approve(click, assess(click), GEOMETRY, user=None)
    assert approved_click is not None
    guarded.execute(approved_click, should_stop=lambda: False)
    assert [a.action for a in inner.executed] == [click]
    guarded.release_all()
    guarded.close()
    assert (inner.released, inner.closed) == (1, True)


def test_deny_all_never_allows_or_answers() -> None:
    approver = DenyAll()
    shell = RunShell(command="touch x")
    assert approver.confirm(shell, assess(shell), FakeScreen().observe()) is UserAnswer.DENY
    assert approver.answer("Which file?") is None


def test_click_log_keys_presses_by_the_current_target() -> None:
    log = ClickLog()
    log.add(1, 1)  # before the run: ignored
    log.set_current(0)
    log.add(2, 2)
    log.set_current(1)
    log.add(3, 3)
    log.set_current(-1)
    log.add(4, 4)
    assert (log.clicks(0), log.clicks(1), log.clicks(2)) == ([(2, 2)], [(3, 3)], [])
