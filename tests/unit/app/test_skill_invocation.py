"""The command bar's "/name key=value" lines (app.skill_invocation)."""

from __future__ import annotations

import pytest

from deskhand.app.skills.skill_invocation import is_invocation, parse_invocation
from deskhand.core.skill import SkillError


def test_a_name_and_parameters_quoted_like_a_shell() -> None:
    assert parse_invocation("/monday-report team=ops") == ("monday-report", {"team": "ops"})
    assert parse_invocation('  /greet note="Grüße aus Köln" to=anna= ') == (
        "greet",
        {"note": "Grüße aus Köln", "to": "anna="},
    )
    assert parse_invocation("/tidy") == ("tidy", {})
    assert is_invocation(" /tidy") and not is_invocation("open /tmp in the file manager")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("/", "Type a skill's name after /, e.g. /monday-report team=ops."),
        ("/ team=ops", "A skill name must be"),
        ("/Monday", "A skill name must be"),
        ("/report ops", "'ops': give each parameter as KEY=VALUE, e.g. /report team=ops."),
        ("/report =ops", "'=ops': give each parameter as KEY=VALUE"),
        ("/report team=ops team=dev", "--param team is given twice."),
        ('/report note="open', "Cannot read '/report note=\"open': No closing quotation"),
    ],
)
def test_what_is_not_an_invocation_says_why(line: str, message: str) -> None:
    with pytest.raises(SkillError) as raised:
        parse_invocation(line)
    assert str(raised.value).startswith(message)
