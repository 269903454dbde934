"""The skill model: parameters, words, and what a skill may not contain."""

from __future__ import annotations

import pytest

from deskhand.core.skill import Param, SkillError, bind, build_skill
from deskhand.core.skill_steps import ClickStep, KeysStep, ShellStep, TypeStep, say
from deskhand.core.skill_target import Target

APPLE = Target(role="push button", name="Apple", window="Orchard Panel", offset=(40, 60))


def skill_with_note() -> object:
    return build_skill(
        "greet",
        [
            ClickStep(target=APPLE),
            TypeStep(text="{{note}}!"),
            ShellStep(command="echo '{{note}}' > /tmp/x"),
            KeysStep(keys=("Control", "S")),
        ],
        {"note": Param(default="Grüße aus Köln")},
        "Greet",
    )


def test_steps_in_words() -> None:
    skill = skill_with_note()
    words = [step.say for step in skill.steps]  # type: ignore[attr-defined]
    assert words == [
        "click the button 'Apple' in 'Orchard Panel'",
        "type '{{note}}!'",
        "run `echo '{{note}}' > /tmp/x`",
        "press ctrl+s",
    ]
    assert say(ClickStep(target=Target(label="Send"), count=2)) == "double-click 'Send'"
    assert say(ClickStep(target=Target(offset=(3, 4)))) == "click the point 3,4"


def test_bind_fills_defaults_and_given_values() -> None:
    skill = skill_with_note()
    steps = bind(skill, {})  # type: ignore[arg-type]
    assert steps[1].text == "Grüße aus Köln!"  # type: ignore[union-attr]
    steps = bind(skill, {"note": "Hallo"})  # type: ignore[arg-type]
    assert steps[1].text == "Hallo!"  # type: ignore[union-attr]
    assert steps[2].command == "echo 'Hallo' > /tmp/x"  # type: ignore[union-attr]
    assert steps[1].say == "type '{{note}}!'"  # words keep the placeholder


def test_bind_refuses_unknown_and_missing_parameters() -> None:
    skill = skill_with_note()
    with pytest.raises(SkillError, match="has no parameter 'team'"):
        bind(skill, {"team": "ops"})  # type: ignore[arg-type]
    secret = build_skill("login", [TypeStep(text="{{password}}")], {"password": Param(secret=True)})
    with pytest.raises(SkillError, match="needs a value for 'password'"):
        bind(secret, {})


def test_a_secret_parameter_has_no_default() -> None:
    with pytest.raises(ValueError, match="secret"):
        Param(secret=True, default="hunter2")


def test_undeclared_placeholders_and_bad_names_are_refused() -> None:
    with pytest.raises(SkillError, match="params does not declare"):
        build_skill("x", [TypeStep(text="{{who}}")])
    with pytest.raises(SkillError, match="skill name"):
        build_skill("Bad Name", [TypeStep(text="a")])
    with pytest.raises(SkillError, match="cannot be built"):
        build_skill("empty", [])
