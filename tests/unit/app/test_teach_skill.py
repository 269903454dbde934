"""A demonstration's steps become a skill: words, parameters, secrets, what is left out."""

from __future__ import annotations

import io

import pytest

from deskhand.app.cli.teach_command import write_review
from deskhand.app.skills.teach_skill import NothingShown, taught_skill
from deskhand.core.actions import MouseButton, ScrollDirection
from deskhand.core.demonstration import ShownClick, ShownDrag, ShownKeys, ShownScroll, ShownTyping
from deskhand.core.skill import Param, SkillError, bind
from deskhand.core.skill_steps import ClickStep, TypeStep, say
from deskhand.core.skill_target import Target as T

PEAR = T(role="push button", name="Pear", window="Orchard Panel")


def test_steps_in_words_with_a_parameter_for_the_typed_literal() -> None:
    shown = [
        ShownClick(10, 10, MouseButton.LEFT, 1, PEAR, 0),
        ShownTyping("Grüße aus Köln, sagt Anna"),
        ShownKeys(("ctrl", "s")),
        ShownScroll(5, 5, ScrollDirection.DOWN, 3),
        ShownScroll(5, 5, ScrollDirection.UP, 1, T(role="list", name="Rows", window="Orchard Panel")),
    ]
    skill = taught_skill("greet", shown, {"note": "Grüße aus Köln"}).skill
    assert [say(s) for s in skill.steps] == [
        "click the button 'Pear' in 'Orchard Panel'",
        "type '{{note}}, sagt Anna'",
        "press ctrl+s",
        "scroll down 3",
        "scroll up 1 over the list 'Rows' in 'Orchard Panel'",
    ]
    assert skill.params == {"note": Param(default="Grüße aus Köln")}
    assert isinstance(skill.steps[0], ClickStep) and skill.steps[0].target == PEAR
    assert all(s.expect == "nothing" for s in skill.steps)


def test_a_password_becomes_a_secret_parameter_that_must_be_given() -> None:
    skill = taught_skill("login", [ShownTyping("anna"), ShownTyping("", secret=True)], {}).skill
    assert skill.params == {"password": Param(secret=True)}
    with pytest.raises(SkillError, match="needs a value for 'password'"):
        bind(skill, {})
    typed = bind(skill, {"password": "s3cret"})[1]
    assert isinstance(typed, TypeStep) and typed.text == "s3cret"


def test_the_review_says_why_typing_was_kept_out() -> None:
    taught = taught_skill("t", [ShownTyping("", secret=True)], {})
    out = io.StringIO()
    write_review(taught, out, ["Deskhand could not tell what had keyboard focus"])
    assert out.getvalue().splitlines() == [
        "You showed 1 step:",
        "  1. type '{{password}}'",
        "  parameter password: kept secret (see below): not stored, asked each run",
        "  kept out: text you typed, not stored (parameter password, asked each run): "
        "Deskhand could not tell what had keyboard focus",
    ]


def test_a_drag_is_left_out_and_said_so() -> None:
    taught = taught_skill("d", [ShownDrag(1, 2, 30, 40, None), ShownKeys(("enter",))], {})
    assert [say(s) for s in taught.skill.steps] == ["press enter"]
    assert taught.left_out == ["a drag from (1, 2) to (30, 40): skills cannot replay drags yet"]


def test_nothing_to_keep_and_a_literal_never_typed_are_refused() -> None:
    with pytest.raises(NothingShown):
        taught_skill("empty", [], {})
    with pytest.raises(NothingShown):
        taught_skill("drags", [ShownDrag(1, 2, 30, 40, None)], {})
    with pytest.raises(SkillError, match="'Bonjour' was never typed"):
        taught_skill("x", [ShownTyping("Hallo")], {"note": "Bonjour"})
