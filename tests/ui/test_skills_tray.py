"""Skills in the tray app: the Skills window, the command bar's "/name key=value", skill runs
through the app's own gate, and "Save as skill…" in the run view and History.

Real wiring throughout: the fake Ollama over HTTP, the test form in its own process, real
skill files and a real audit log in the test's data dir.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit
from pytestqt.qtbot import QtBot

from deskhand.app.platform.x11_windows import frame_rect
from deskhand.app.skills.skill_store import SkillStore, skills_dir
from deskhand.app.store.config import load_settings
from deskhand.app.tray.controller import DeskhandApp
from deskhand.app.windows.history import HistoryWindow
from deskhand.app.windows.skills import SkillsWindow
from deskhand.core.loop import TaskResult, TaskStatus
from deskhand.core.skill import Param, build_skill
from deskhand.core.skill_steps import ClickStep, ShellStep, TypeStep
from deskhand.core.skill_target import Target
from tests.fakeollama import FakeOllama
from tests.ui.conftest import Form, x

pytestmark = [pytest.mark.desktop, pytest.mark.usefixtures("window_manager")]


@pytest.fixture
def app(qtbot: QtBot, ollama: FakeOllama) -> Iterator[DeskhandApp]:
    app = DeskhandApp()
    yield app
    app.shutdown()


def store() -> SkillStore:
    return SkillStore.for_settings(load_settings())


def keep_skills(tmp_path: Path) -> None:
    store().save(
        build_skill(
            "login",
            [
                ClickStep(target=Target(role="push button", name="Apply", window="Deskhand test form")),
                TypeStep(text="{{user}}"),
                TypeStep(text="{{password}}"),
            ],
            {"user": Param(default="anna"), "password": Param(secret=True)},
            "log in to the form",
        )
    )
    store().save(build_skill("note", [ShellStep(command=f"touch {tmp_path / 'made'}")], {}, "make a file"))
    (skills_dir(load_settings()) / "broken.yaml").write_text("name: broken\nsteps: []\n", encoding="utf-8")


def test_the_skills_window_lists_shows_runs_and_deletes(
    app: DeskhandApp, qtbot: QtBot, tmp_path: Path
) -> None:
    keep_skills(tmp_path)
    app.open_window("skills")
    window = app.skills.window
    assert isinstance(window, SkillsWindow) and window.isVisible()
    assert [window.names.item(r).text() for r in range(window.names.count())] == ["broken", "login", "note"]
    window.select("broken")
    assert "cannot be used" in window.title.text() and "broken" in window.problem.text()
    assert not window.run_button.isEnabled()
    window.select("login")
    assert window.steps.toPlainText().splitlines() == [
        "1. click the button 'Apply' in 'Deskhand test form'",
        "2. type '{{user}}'",
        "3. type '{{password}}'",
    ]
    assert window.fields["user"].text() == "anna"
    assert window.fields["password"].echoMode() is QLineEdit.EchoMode.Password
    qtbot.mouseClick(window.run_button, Qt.MouseButton.LeftButton)  # no password given
    assert window.problem.text() == "Skill 'login' needs a value for 'password': add --param password=VALUE."
    assert not app.session.running
    qtbot.mouseClick(window.delete_button, Qt.MouseButton.LeftButton)
    assert window.delete_button.text() == "Click again to delete 'login'"
    assert store().exists("login")
    qtbot.mouseClick(window.delete_button, Qt.MouseButton.LeftButton)
    assert not store().exists("login")
    assert [window.names.item(r).text() for r in range(window.names.count())] == ["broken", "note"]


def test_the_command_bar_says_what_is_wrong_with_a_skill_line(app: DeskhandApp, tmp_path: Path) -> None:
    keep_skills(tmp_path)
    for line, problem in [
        ("/no-such team=ops", "There is no skill 'no-such' (see `deskhand skills list`)."),
        ("/login ops", "'ops': give each parameter as KEY=VALUE, e.g. /login team=ops."),
        ("/login team=ops", "Skill 'login' has no parameter 'team' (its parameters: password, user)."),
        ("/login", "Skill 'login' needs a value for 'password': add --param password=VALUE."),
        ("/broken", "broken"),
    ]:
        assert not app.start_task(line)
        assert app.command_bar.isVisible() and app.command_bar.entry.text() == line
        assert problem in app.command_bar.message.text()
        assert not app.session.running
    app.command_bar.hide()


def test_a_skill_from_the_command_bar_meets_the_same_gate(
    app: DeskhandApp, qtbot: QtBot, ollama: FakeOllama, tmp_path: Path
) -> None:
    keep_skills(tmp_path)
    with qtbot.waitSignal(app.dialogs.opened, timeout=30_000) as opened:
        assert app.start_task("/note")
    assert app.run_view.header.text() == "Task: skill note"
    with qtbot.waitSignal(app.task_ended, timeout=30_000) as ended:
        qtbot.keyClick(opened.args[0].focusWidget(), Qt.Key.Key_Escape)  # deny
    result = ended.args[0]
    assert isinstance(result, TaskResult) and result.status is TaskStatus.FAILED, result
    assert "Step 1 of skill 'note'" in result.message and "denied" in result.message
    assert not (tmp_path / "made").exists()
    assert ollama.chat_requests == []  # a replay needs no model when nothing is missing


def run_click_task(app: DeskhandApp, qtbot: QtBot, ollama: FakeOllama) -> None:
    ollama.script([{"do": "click", "target": "Apply"}, {"do": "finish", "summary": "Clicked Apply."}])
    with qtbot.waitSignal(app.task_ended, timeout=60_000) as ended:
        assert app.start_task("Click Apply")
    assert isinstance(ended.args[0], TaskResult) and ended.args[0].status is TaskStatus.FINISHED


def name_it(qtbot: QtBot, app: DeskhandApp, name: str) -> None:
    qtbot.waitUntil(lambda: app.skills.dialog is not None and app.skills.dialog.isVisible())
    dialog = app.skills.dialog
    assert dialog is not None
    dialog.name.setText(name)
    with qtbot.waitSignal(dialog.saved):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)


def test_save_as_skill_from_the_run_view_and_from_history(
    app: DeskhandApp, qtbot: QtBot, ollama: FakeOllama, start_form: Callable[..., Form]
) -> None:
    start_form()
    run_click_task(app, qtbot, ollama)
    assert app.run_view.save_skill_button.isVisibleTo(app.run_view)
    qtbot.mouseClick(app.run_view.save_skill_button, Qt.MouseButton.LeftButton)
    dialog = app.skills.dialog
    assert dialog is not None
    dialog.name.setText("Bad Name")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "A skill name must be" in dialog.problem.text() and dialog.isVisible()
    name_it(qtbot, app, "apply")
    saved = store().load("apply")
    assert isinstance(saved.steps[0], ClickStep) and saved.steps[0].target.name + saved.steps[0].target.label
    app.open_window("history")
    history = app.other_windows.opened["history"]
    assert isinstance(history, HistoryWindow)
    assert not history.save_skill_button.isEnabled()
    history.table.selectRow(0)
    assert history.save_skill_button.isEnabled()
    qtbot.mouseClick(history.save_skill_button, Qt.MouseButton.LeftButton)
    name_it(qtbot, app, "apply-again")
    assert [type(s) for s in store().load("apply-again").steps] == [ClickStep]


def test_a_running_task_offers_no_save_and_a_failed_one_neither(
    app: DeskhandApp, qtbot: QtBot, ollama: FakeOllama
) -> None:
    ollama.script([{"do": "fail", "summary": "cannot"}])
    with qtbot.waitSignal(app.task_ended, timeout=60_000):
        assert app.start_task("Do the impossible")
    assert not app.run_view.save_skill_button.isVisibleTo(app.run_view)


def test_teach_a_skill_from_the_tray_records_until_the_stop_key_and_reviews_it(
    app: DeskhandApp, qtbot: QtBot, start_form: Callable[..., Form]
) -> None:
    form = start_form()
    centre = form.events("ready")[0]["centres"]["Apply"]  # type: ignore[index]
    assert app.skills.teach()
    bar = app.skills._bar
    assert bar is not None and bar.isVisible() and "Ctrl+Alt+End" in bar.text.text()
    assert not app.start_task("Click Apply")  # no task while the user shows one
    x("xdotool", "mousemove", str(centre[0]), str(centre[1]), "click", "1")
    x("xdotool", "key", "ctrl+s")
    x("xdotool", "key", "ctrl+alt+End")
    qtbot.waitUntil(lambda: app.skills.dialog is not None and app.skills.dialog.isVisible(), timeout=15_000)
    assert app.skills.teaching is None and app.skills._bar is None  # the teaching bar is gone
    dialog = app.skills.dialog
    steps = dialog.findChild(QPlainTextEdit, "skill-steps")
    assert steps is not None
    lines = steps.toPlainText().splitlines()
    assert len(lines) == 2 and lines[0].startswith("1. click ") and "Apply" in lines[0], lines
    assert lines[1] == "2. press ctrl+s"
    assert [c["button"] for c in form.events("click")] == ["Apply"]  # the user's click went through
    name_it(qtbot, app, "apply-and-save")
    skill = store().load("apply-and-save")
    assert [s.kind for s in skill.steps] == ["click", "keys"]
    with qtbot.waitSignal(app.task_ended, timeout=60_000) as ended:  # and it replays from the bar
        assert app.start_task("/apply-and-save")
    assert isinstance(ended.args[0], TaskResult) and ended.args[0].status is TaskStatus.FINISHED, ended.args[
        0
    ]
    assert [c["button"] for c in form.events("click")] == ["Apply", "Apply"]
    assert app.run_view.save_skill_button.isVisibleTo(app.run_view)  # a replay can be kept in turn
    qtbot.mouseClick(app.run_view.save_skill_button, Qt.MouseButton.LeftButton)
    name_it(qtbot, app, "apply-and-save-2")
    assert [s.kind for s in store().load("apply-and-save-2").steps] == ["click", "keys"]


def test_the_teaching_bar_s_stop_ends_it_and_is_not_a_step(
    app: DeskhandApp, qtbot: QtBot, start_form: Callable[..., Form]
) -> None:
    form = start_form()
    centre = form.events("ready")[0]["centres"]["Cancel"]  # type: ignore[index]
    assert app.skills.teach()
    bar = app.skills._bar
    assert bar is not None
    qtbot.waitUntil(bar.isVisible)
    x("xdotool", "mousemove", str(centre[0]), str(centre[1]), "click", "1")
    frame = frame_rect(int(bar.winId()))  # where the X server has it (Qt's idea can lag)
    assert frame is not None
    stop = bar.stop.geometry().center()
    x("xdotool", "mousemove", str(frame[0] + stop.x()), str(frame[1] + stop.y()), "click", "1")  # our window
    qtbot.waitUntil(lambda: app.skills.dialog is not None and app.skills.dialog.isVisible(), timeout=15_000)
    steps = app.skills.dialog.findChild(QPlainTextEdit, "skill-steps")  # type: ignore[union-attr]
    assert steps is not None
    lines = steps.toPlainText().splitlines()
    assert len(lines) == 1 and lines[0].startswith("1. click ") and "Cancel" in lines[0], lines
    app.skills.dialog.reject()  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: app.skills.dialog is None)
    assert store().names() == []  # discarded: nothing kept
