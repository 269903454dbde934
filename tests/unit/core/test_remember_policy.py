"""The ``remember`` action: always asked, never a secret, parsed from the dialects that offer it."""

from __future__ import annotations

from deskhand.core.actions import Remember
from deskhand.core.approval import UserAnswer, approve
from deskhand.core.geometry import Rect, ScreenGeometry, Size
from deskhand.core.observation import Observation
from deskhand.core.policy import assess
from deskhand.core.verdict import Level
from deskhand.vision.dialects import dialect_for


def test_a_note_always_asks_and_shows_its_text() -> None:
    verdict = assess(Remember(text="my editor is mousepad"))
    assert verdict.level is Level.CONFIRM
    assert '"my editor is mousepad"' in verdict.reason


def test_a_note_with_a_secret_is_blocked_even_when_unlocked_or_allowed() -> None:
    verdict = assess(Remember(text="password is hunter2"), unlocked=frozenset({"credentials"}))
    assert verdict.level is Level.BLOCK
    geometry = ScreenGeometry(image_size=Size(100, 100), screen_rect=Rect(0, 0, 100, 100))
    assert approve(Remember(text="x"), verdict, geometry, user=UserAnswer.ALLOW_FOR_TASK) is None


def test_a_value_typed_into_a_password_field_cannot_be_remembered() -> None:
    verdict = assess(Remember(text="the login is blue-horse"), secrets=frozenset({"blue-horse"}))
    assert verdict.level is Level.BLOCK and "password typed during this task" in verdict.reason


def _observation() -> Observation:
    geometry = ScreenGeometry(image_size=Size(1316, 728), screen_rect=Rect(0, 0, 1920, 1080))
    return Observation(id="o1", image=b"", mime="image/jpeg", geometry=geometry, capture_ms=0, encode_ms=0)


def test_qwen_and_json_dialects_read_a_remember_call() -> None:
    qwen = dialect_for("qwen2.5vl:7b", None)
    raw = '<tool_call>\n{"name": "remember", "arguments": {"text": "reports go to ~/Reports"}}\n</tool_call>'
    decision = qwen.parse(raw, _observation())
    assert decision.actions == (Remember(text="reports go to ~/Reports"),)  # type: ignore[union-attr]
    json_dialect = dialect_for("llava:7b", None)
    raw = '{"thought": "", "actions": [{"kind": "remember", "text": "reports go to ~/Reports"}]}'
    assert json_dialect.parse(raw, _observation()).actions == (Remember(text="reports go to ~/Reports"),)  # type: ignore[union-attr]


def test_the_qwen_prompt_offers_remember() -> None:
    qwen = dialect_for("qwen3-vl:8b", None)
    system = qwen.conversation("t", [], _observation()).turns[0].text
    assert '"name": "remember"' in system
