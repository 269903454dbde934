"""`deskhand skills` with bad input: one line naming what is wrong, exit 2, nothing run;
and `skills save` from a real audit log (parameters, passwords, expectations)."""

from __future__ import annotations

from pathlib import Path

import pytest

from deskhand.app.cli.main import main
from deskhand.app.skills.skill_save import skill_from_task
from deskhand.app.skills.skill_store import SkillStore
from deskhand.app.store.audit_log import AuditLog
from deskhand.core.skill import Param, SkillError, build_skill
from deskhand.core.skill_steps import ClickStep, ShellStep, TypeStep
from deskhand.core.skill_target import Target
from deskhand.core.step_log import REDACTED


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DESKHAND_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("DESKHAND_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def save_greet(data: Path) -> None:
    skill = build_skill(
        "greet",
        [ClickStep(target=Target(name="Apple", role="push button")), TypeStep(text="{{note}} {{password}}")],
        {"note": Param(default="hi"), "password": Param(secret=True)},
    )
    SkillStore(data / "skills").save(skill)


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["skills", "run", "nosuch"], "There is no skill 'nosuch'"),
        (
            ["skills", "run", "greet", "--param", "password=x", "--param", "team=ops"],
            "has no parameter 'team'",
        ),
        (["skills", "run", "greet"], "needs a value for 'password'"),
        (["skills", "run", "greet", "--param", "password"], "write it as KEY=VALUE"),
        (["skills", "show", "nosuch"], "There is no skill 'nosuch'"),
        (["skills", "delete", "nosuch"], "There is no skill 'nosuch'"),
        (["skills", "show", "Bad Name"], "A skill name must be"),
        (["skills", "save", "x", "--task", "99"], "There is no task 99"),
        (["skills", "save", "x", "--last"], "There is no task in the history yet"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    argv: list[str], says: str, data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    save_greet(data)
    code, out, err = run(argv, capsys)
    assert code == 2, (out, err)
    assert says in err and err.count("\n") == 1 and out == ""


def test_a_corrupt_skill_names_its_line(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    save_greet(data)
    path = data / "skills" / "greet.yaml"
    text = path.read_text(encoding="utf-8").replace("count: 1", "").replace("kind: type", "kind: typo")
    path.write_text(text, encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "kind: typo" in row)
    code, _, err = run(["skills", "run", "greet", "--param", "password=x"], capsys)
    assert code == 2
    assert f"Skill 'greet' is not valid: line {line}: steps.1" in err
    code, out, _ = run(["skills", "list"], capsys)
    assert code == 0 and out.startswith("greet (cannot be used: Skill 'greet' is not valid: line")


def test_list_show_delete(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["skills", "list"], capsys)[1].startswith("No skills yet")
    save_greet(data)
    code, out, _ = run(["skills", "show", "greet"], capsys)
    assert code == 0
    assert "1. click the button 'Apple'" in out and "--param password=...  (secret: give it each time)" in out
    assert run(["skills", "delete", "greet"], capsys)[:2] == (0, "Deleted skill 'greet'.\n")
    assert not (data / "skills" / "greet.yaml").exists()


def audit_with_task(path: Path, actions: list[dict[str, object]], status: str = "finished") -> AuditLog:
    audit = AuditLog(path)
    task = audit.begin_task("greet the orchard", model="m", dialect="json", host="h")
    for n, record in enumerate(actions, 1):
        audit.add_skill_action(task.task_id, n, 0, record)
    task.finish(status, "done")
    return audit


def row(
    action: dict[str, object], fingerprint: bytes, outcome: str = "executed", **target: object
) -> dict[str, object]:
    return {"action": action, "target": target or None, "fingerprint": fingerprint.hex(), "outcome": outcome}


def test_save_marks_parameters_passwords_and_expected_changes(tmp_path: Path) -> None:
    a, b = bytes(2304), bytes([200]) * 2304
    audit = audit_with_task(tmp_path / "audit.sqlite3", [
        row({"kind": "click", "at": {"x": 1, "y": 2}}, a, role="push button", name="Apple", window="Orchard Panel"),
        row({"kind": "type_text", "text": "Grüße aus Köln"}, b),
        row({"kind": "type_text", "text": REDACTED}, b),
        row({"kind": "run_shell", "command": "rm -rf ~"}, b, outcome="blocked by policy: no"),
        row({"kind": "run_shell", "command": "printf '%s' 'Grüße aus Köln' >> ~/x"}, b),
    ])  # fmt: skip
    skill = skill_from_task("greet", audit, 1, {"note": "Grüße aus Köln"})
    assert [s.kind for s in skill.steps] == ["click", "type", "type", "shell"]  # the blocked one is left out
    assert skill.steps[0].expect == "change"  # the next screen differed
    assert skill.steps[1].expect == "nothing"
    assert skill.steps[1] == TypeStep(text="{{note}}", say="type '{{note}}'")
    assert skill.steps[2] == TypeStep(text="{{password}}", say="type '{{password}}'")
    assert skill.steps[3] == ShellStep(
        command="printf '%s' '{{note}}' >> ~/x", say="run `printf '%s' '{{note}}' >> ~/x`"
    )
    assert skill.params == {"note": Param(default="Grüße aus Köln"), "password": Param(secret=True)}
    assert skill.description == "greet the orchard"
    with pytest.raises(SkillError, match="was never typed or run"):
        skill_from_task("greet", audit, 1, {"team": "ops"})


def test_save_refuses_what_it_cannot_keep(tmp_path: Path) -> None:
    failed = audit_with_task(
        tmp_path / "a.sqlite3", [row({"kind": "wait", "seconds": 1}, bytes(4))], "failed"
    )
    with pytest.raises(SkillError, match="ended 'failed'"):
        skill_from_task("x", failed, 1, {})
    drag = {"kind": "drag", "start": {"x": 1, "y": 1}, "end": {"x": 2, "y": 2}}
    dragged = audit_with_task(tmp_path / "b.sqlite3", [row(drag, bytes(4))])
    with pytest.raises(SkillError, match=r"action 1 \(drag\) cannot be kept"):
        skill_from_task("x", dragged, 1, {})
    empty = audit_with_task(tmp_path / "c.sqlite3", [])
    with pytest.raises(SkillError, match="no recorded actions"):
        skill_from_task("x", empty, 1, {})
