"""Skill files: written readable, read back equal, and a bad one named by skill and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from deskhand.app.skills.skill_file import SkillFileError, dump_skill, parse_skill
from deskhand.app.skills.skill_store import SkillStore
from deskhand.core.skill import Param, SkillError, build_skill
from deskhand.core.skill_steps import ClickStep, ShellStep, TypeStep
from deskhand.core.skill_target import Target


def sample() -> object:
    return build_skill(
        "greet",
        [
            ClickStep(
                target=Target(role="push button", name="Apple", window="Orchard Panel", crop="iVBOR"),
                expect="change",
            ),
            TypeStep(text="{{note}}"),
            ShellStep(command="echo hi"),
        ],
        {"note": Param(default="Grüße aus Köln")},
        "Greet the orchard",
    )


def test_round_trip_keeps_everything_and_reads_as_words() -> None:
    skill = sample()
    text = dump_skill(skill)  # type: ignore[arg-type]
    assert "Grüße aus Köln" in text  # Unicode as typed, not escaped
    assert "say: click the button 'Apple' in 'Orchard Panel'" in text
    assert text.index("- kind: click") < text.index("say: click")
    assert parse_skill(text, "greet") == skill


def bad_line(text: str) -> str:
    with pytest.raises(SkillFileError) as caught:
        parse_skill(text, "greet")
    message = str(caught.value)
    assert "\n" not in message and "Skill 'greet'" in message
    return message


def test_bad_files_name_the_line() -> None:
    text = dump_skill(sample())  # type: ignore[arg-type]
    lines = text.splitlines()
    number = next(
        i for i, line in enumerate(lines) if "count" in line or "button: " in line or "kind: type" in line
    )
    broken = list(lines)
    broken[number] = broken[number].replace("kind: type", "kind: typo")
    assert f"line {number + 1}:" in bad_line("\n".join(broken))
    assert "line 2:" in bad_line("name: greet\nsteps: [unclosed\n") or "not valid YAML" in bad_line(
        "name: greet\nsteps: [unclosed\n"
    )
    assert "line 1" in bad_line("just a string")
    message = bad_line("name: greet\nsteps:\n  - kind: type\n    text: '{{who}}'\n")
    assert "params does not declare" in message
    assert "name must match" in bad_line("name: other\nsteps:\n  - kind: wait\n")
    assert "line 1: format: Value error, format 2 is not one this Deskhand reads" in bad_line(
        "format: 2\nname: greet\nsteps:\n  - kind: wait\n"
    )


def test_store_saves_lists_loads_and_deletes(tmp_path: Path) -> None:
    store = SkillStore(tmp_path / "skills")
    assert store.names() == []
    store.save(sample())  # type: ignore[arg-type]
    assert store.names() == ["greet"]
    assert (tmp_path / "skills").stat().st_mode & 0o777 == 0o700
    assert store.load("greet") == sample()
    store.delete("greet")
    with pytest.raises(SkillError, match="no skill 'greet'"):
        store.load("greet")
    with pytest.raises(SkillError, match="no skill 'greet'"):
        store.delete("greet")
