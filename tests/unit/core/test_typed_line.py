"""What a terminal will run: the line typed since the last Enter, judged whole when it is sent.

Split typing ("r", then "m -rf ~/Documents" and a newline), key by key typing and editing
keys all build one line per focused window; Enter (or a newline) sends it, and the policy
judges the whole line.  A focused field that is not a terminal (a file chooser's "Name")
does not run what is typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from deskhand.core.actions import Action, Click, Hotkey, TypeText
from deskhand.core.approval import UserAnswer
from deskhand.core.element_info import ElementInfo
from deskhand.core.geometry import ImagePoint
from deskhand.core.gui_rules import Reach, typing_reaches
from deskhand.core.loop import TaskStatus, run_task
from deskhand.core.observation import Observation
from deskhand.core.policy import assess
from deskhand.core.typed_line import Line, TypedLines, sends_line
from deskhand.core.verdict import Level, Verdict
from tests.fakes import FakeApprover, make_parts, reply

XTERM = ElementInfo("user@host: ~", "window", "window", app="xterm", window="x11:0x1")
XTERM_2 = ElementInfo("user@host: /tmp", "window", "window", app="xterm", window="x11:0x2")
VTE = ElementInfo("Terminal", "terminal", "accessibility", app="gnome-terminal-server", window="x11:0x3")
NAME_FIELD = ElementInfo("", "text", "accessibility", app="mousepad", window="x11:0x4")  # Save As "Name"
BROWSER_FIELD = ElementInfo("", "entry", "accessibility", app="firefox", window="x11:0x5")
KEYS_OF = {" ": ("space",), "~": ("shift", "`"), "\n": ("enter",), "D": ("shift", "d")}


def keys(text: str) -> list[Hotkey]:
    """``text`` as a model pressing one key at a time."""
    return [Hotkey(keys=KEYS_OF.get(c, (c,))) for c in text]


def judge_in_turn(actions: list[Action], target: ElementInfo | None) -> list[Verdict]:
    """Each action judged as the step judges it, and followed unless blocked (as if the user
    said yes to whatever asked)."""
    lines, verdicts = TypedLines(), []
    for action in actions:
        verdict = assess(action, target, line=lines.line(target))
        verdicts.append(verdict)
        if verdict.level is not Level.BLOCK:
            lines.ran(action, target)
    return verdicts


# -- the line editor ------------------------------------------------------------------------


def press(line: Line, *chords: tuple[str, ...], reach: Reach = Reach.TERMINAL) -> Line:
    for chord in chords:
        _, line = line.pressed(chord, reach)
    return line


def test_typed_text_sends_one_line_per_newline_and_keeps_the_rest() -> None:
    sent, left = Line(text="r", cursor=1).typed("m -rf ~/Documents\nls\r\necho ")
    assert [s.text for s in sent] == ["rm -rf ~/Documents", "ls"]
    assert left.text == "echo " and left.sent == 2 and not left.unsure


@pytest.mark.parametrize(
    ("start", "chords", "text"),
    [
        ("rm -rf ~/Documentsx", [("backspace",)], "rm -rf ~/Documents"),
        ("echo hi", [("ctrl", "u")], ""),
        ("ls -la", [("home",), ("delete",), ("delete",)], " -la"),
        ("ls ~", [("left",), ("ctrl", "k")], "ls "),
        ("ls ~", [("ctrl", "a"), ("s",), ("u",), ("d",), ("o",), ("space",)], "sudo ls ~"),
        ("echo a b", [("ctrl", "w")], "echo a "),
        ("echo a b", [("ctrl", "w"), ("ctrl", "y"), ("ctrl", "y")], "echo a bb"),
        ("echo foo/bar", [("alt", "backspace")], "echo foo/"),
        ("echo foo bar", [("alt", "b"), ("alt", "d")], "echo foo "),
        ("cat", [("space",), ("shift", "`"), ("/",), ("shift", "a")], "cat ~/A"),
        ("ls", [("tab",), ("f5",), ("shift",)], "ls"),
    ],
)
def test_editing_keys_change_the_line_as_a_shell_does(
    start: str, chords: list[tuple[str, ...]], text: str
) -> None:
    line = press(Line(text=start, cursor=len(start)), *chords)
    assert line.text == text and not line.unsure


def test_keys_that_clear_a_line_do_so_only_where_they_do() -> None:
    typed = Line(text="rm -rf ~/Doc", cursor=12)
    assert press(typed, ("ctrl", "c"), reach=Reach.TERMINAL).text == ""  # SIGINT drops the line
    assert press(typed, ("ctrl", "c"), reach=Reach.UNKNOWN).text == typed.text  # elsewhere: copy
    assert press(typed, ("escape",), reach=Reach.TERMINAL).text == typed.text  # a shell keeps it
    assert press(typed, ("escape",), reach=Reach.FIELD).text == ""  # closes the chooser


@pytest.mark.parametrize(
    "chord", [("up",), ("ctrl", "r"), ("ctrl", "shift", "v"), ("shift", "insert"), ("alt", ".")]
)
def test_what_cannot_be_followed_makes_the_line_unsure(chord: tuple[str, ...]) -> None:
    assert press(Line(text="ls", cursor=2), chord).unsure


@pytest.mark.parametrize(
    ("chord", "sends"),
    [(("enter",), True), (("shift", "enter"), True), (("ctrl", "j"), True), (("ctrl", "m"), True),
     (("ctrl", "s"), False), (("j",), False), (("space",), False)],
)  # fmt: skip
def test_what_sends_the_line(chord: tuple[str, ...], sends: bool) -> None:
    assert sends_line(chord) is sends


# -- what typing reaches ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "reach"),
    [
        (XTERM, Reach.TERMINAL),  # by window class: xterm publishes no accessibility tree
        (VTE, Reach.TERMINAL),  # by accessibility role
        (NAME_FIELD, Reach.FIELD),
        (BROWSER_FIELD, Reach.UNKNOWN),  # a web page's field may be a terminal
        (ElementInfo("", "window", "window", app="mousepad"), Reach.UNKNOWN),  # the window only
        (ElementInfo("Name", "text", "ocr"), Reach.UNKNOWN),
        (None, Reach.UNKNOWN),
    ],
)
def test_only_a_terminal_or_the_unknown_runs_what_is_typed(target: ElementInfo | None, reach: Reach) -> None:
    assert typing_reaches(target) is reach


# -- the policy: the whole line is judged when it is sent ---------------------------------------


@pytest.mark.parametrize("target", [XTERM, VTE, None])
def test_split_typing_is_judged_as_the_line_it_sends(target: ElementInfo | None) -> None:
    first, second = judge_in_turn([TypeText(text="r"), TypeText(text="m -rf ~/Documents\n")], target)
    assert first.level is Level.AUTO
    assert second.level is Level.BLOCK, second
    assert second.reason.startswith("completes the typed line `rm -rf ~/Documents`, a command")

    whole = assess(TypeText(text="rm -rf ~/Documents\n"), target)  # held before: stays held
    assert whole.level is Level.BLOCK and whole.reason.startswith("typed text is a command")
    _, keep = judge_in_turn([TypeText(text="r"), TypeText(text="m ~/keep.txt\n")], target)
    assert keep.level is Level.CONFIRM and "`rm ~/keep.txt`" in keep.reason


def test_key_by_key_typing_is_judged_when_enter_sends_it() -> None:
    verdicts = judge_in_turn(keys("rm -rf ~/Documents\n"), XTERM)
    assert [v.level for v in verdicts[:-1]] == [Level.AUTO] * (len(verdicts) - 1)
    assert verdicts[-1].level is Level.BLOCK
    assert verdicts[-1].reason.startswith("sends the typed line `rm -rf ~/Documents`")
    *_, keep = judge_in_turn(keys("rm ~/keep.txt\n"), XTERM)
    assert keep.level is Level.CONFIRM


def test_backspace_edits_and_ctrl_c_drops_the_line() -> None:
    *_, edited = judge_in_turn(
        [TypeText(text="echo x; rm -rf ~/Documentsx"), Hotkey(keys=("backspace",)), Hotkey(keys=("enter",))],
        XTERM,
    )
    assert edited.level is Level.BLOCK
    *_, dropped = judge_in_turn(
        [TypeText(text="r"), Hotkey(keys=("ctrl", "c")), TypeText(text="ls\n")], XTERM
    )
    assert dropped.level is Level.AUTO


def test_each_window_has_its_own_line_and_unknown_focus_stays_where_it_was() -> None:
    lines = TypedLines()
    lines.ran(TypeText(text="r"), XTERM)
    lines.ran(TypeText(text="ls "), XTERM_2)
    assert assess(TypeText(text="m -rf ~/Documents\n"), XTERM_2, line=lines.line(XTERM_2)).level is Level.AUTO
    assert assess(TypeText(text="m -rf ~/Documents\n"), XTERM, line=lines.line(XTERM)).level is Level.BLOCK
    assert lines.line(None).text == "ls "  # focus unknown: where the keys went last
    lines.ran(TypeText(text="-la"), None)
    assert lines.line(XTERM_2).text == "ls -la"


def test_a_click_starts_a_new_line_in_a_form_but_not_in_a_terminal() -> None:
    for target, level in [(NAME_FIELD, Level.AUTO), (XTERM, Level.BLOCK), (None, Level.BLOCK)]:
        lines = TypedLines()
        lines.ran(TypeText(text="sudo "), target)
        lines.ran(Click(at=ImagePoint(x=5, y=5)), None)
        assert assess(TypeText(text="ls\n"), target, line=lines.line(target)).level is level, target


def test_a_line_recalled_from_history_asks_before_a_terminal_runs_it() -> None:
    hidden = [TypeText(text="#rm -rf ~/Documents\n"), *[Hotkey(keys=(k,)) for k in ("up", "home", "delete")]]
    *_, enter = judge_in_turn([*hidden, Hotkey(keys=("enter",))], XTERM)
    assert enter.level is Level.CONFIRM and "could not follow" in enter.reason
    *_, unknown = judge_in_turn([*hidden, Hotkey(keys=("enter",))], None)  # Enter was sent there before
    assert unknown.level is Level.CONFIRM
    *_, list_pick = judge_in_turn([Hotkey(keys=("down",)), Hotkey(keys=("enter",))], None)
    assert list_pick.level is Level.AUTO  # a list in some window: nothing was ever typed there


def test_a_file_chooser_is_not_a_terminal() -> None:
    path = TypeText(text="/tmp/deskhand-test/notes.txt\n")
    assert assess(path, NAME_FIELD).level is Level.AUTO
    assert assess(path, XTERM).level is Level.CONFIRM  # a terminal would run it
    assert assess(path).level is Level.CONFIRM  # nothing tells: judged like a terminal
    *_, enter = judge_in_turn([TypeText(text="/tmp/notes.txt"), Hotkey(keys=("enter",))], NAME_FIELD)
    assert enter.level is Level.AUTO
    # What would be blocked in a terminal is still refused anywhere.
    assert assess(TypeText(text="rm -rf ~\n"), NAME_FIELD).level is Level.BLOCK


# -- through the loop: the task keeps each window's line across actions and steps -------------


@dataclass
class Focus:
    """An inspector whose keyboard focus the test moves."""

    target: ElementInfo | None
    asked: list[str] = field(default_factory=list)

    def prepare(self, observation: Observation) -> None:
        return None

    def inspect(self, point: object, observation: Observation) -> ElementInfo | None:
        return None

    def focused(self, observation: Observation) -> ElementInfo | None:
        self.asked.append(observation.id)
        return self.target


CLICK = {"kind": "click", "at": {"x": 300, "y": 200}}
FINISH = {"kind": "finish", "summary": "done"}


def typed(text: str) -> dict[str, object]:
    return {"kind": "type_text", "text": text}


def executed(pieces: dict[str, object]) -> list[Action]:
    return [a.action for a in pieces["executor"].executed]  # type: ignore[attr-defined]


@pytest.mark.parametrize("inspector", [Focus(XTERM), None])
def test_one_answer_typing_a_blocked_command_in_pieces_never_sends_it(inspector: Focus | None) -> None:
    answer = reply(CLICK, typed("r"), typed("m -rf ~/Documents\n"))
    parts, pieces = make_parts([answer, reply(FINISH)], inspector=inspector)
    assert run_task("tidy up", parts).status is TaskStatus.FINISHED
    assert [a.kind for a in executed(pieces)] == ["click", "type_text"]
    record = pieces["sinks"][0].records[0]  # type: ignore[index]
    assert record.verdicts[2].level == "block" and "`rm -rf ~/Documents`" in record.verdicts[2].reason


def test_keys_pressed_over_several_steps_build_one_line() -> None:
    answers = [reply({"kind": "hotkey", "keys": list(k.keys)}) for k in keys("rm ~/keep.txt\n")]
    approver = FakeApprover(answer_with=UserAnswer.DENY)
    parts, pieces = make_parts([*answers, reply(FINISH)], inspector=Focus(XTERM), approver=approver)
    run_task("tidy up", parts)
    [(action, verdict)] = approver.asked
    assert action == Hotkey(keys=("enter",)) and "`rm ~/keep.txt`" in verdict.reason
    assert Hotkey(keys=("enter",)) not in executed(pieces)


def test_a_path_typed_into_a_file_chooser_runs_without_asking() -> None:
    parts, pieces = make_parts([reply(typed("/tmp/notes.txt\n")), reply(FINISH)], inspector=Focus(NAME_FIELD))
    run_task("save as", parts)
    assert pieces["approver"].asked == []  # type: ignore[attr-defined]
    assert executed(pieces) == [TypeText(text="/tmp/notes.txt\n")]
