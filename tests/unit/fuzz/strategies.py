"""Hypothesis strategies shared by the fuzz tests: model answers and shell commands."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

from hypothesis import strategies as st

from deskhand.core.geometry import Rect, ScreenGeometry, Size
from deskhand.core.observation import Observation

CORPUS = Path(__file__).parent.parent / "safety" / "corpus"


def corpus(level: str) -> list[str]:
    commands = []
    for path in sorted(CORPUS.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            lvl, sep, command = line.partition("\t")
            if sep and lvl == level and not line.startswith("#"):
                commands.append(command.replace("⏎", "\n"))
    return commands


# ----------------------------------------------------------------------------- observations

sizes = st.sampled_from(
    [Size(1316, 728), Size(1288, 728), Size(1920, 1080), Size(952, 532), Size(28, 28)]
) | st.builds(Size, st.integers(1, 4000), st.integers(1, 4000))


@st.composite
def observations(draw: st.DrawFn) -> Observation:
    size = draw(sizes)
    rect = Rect(draw(st.integers(-4000, 4000)), draw(st.integers(-4000, 4000)), *draw(sizes))
    return Observation("fuzz", b"", "image/jpeg", ScreenGeometry(image_size=size, screen_rect=rect), 0.0, 0.0)


# ----------------------------------------------------------------------------- model answers

numbers = st.one_of(
    st.integers(-10_000, 10_000),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, 999, 1000, 1001, 1315, 1316, 1317, 727, 728, 729, -1, 10**30]),
)
num_text = numbers.map(lambda n: repr(n) if isinstance(n, float) else str(n))


@st.composite
def ui_tars_replies(draw: st.DrawFn) -> str:
    x, y = draw(num_text), draw(num_text)
    verb = draw(st.sampled_from(["click", "left_double", "right_single", "drag", "hover", "scroll", "type"]))
    form = draw(
        st.sampled_from(
            [
                f"{verb}(point='<point>{x} {y}</point>')",
                f"{verb}(start_box='({x},{y})')",
                f"{verb}(start_box='<|box_start|>({x},{y})<|box_end|>')",
                f"{verb}(start_box='[{x},{y},{x},{y}]')",
                f"drag(start_point='<point>{x} {y}</point>', end_point='<point>{y} {x}</point>')",
                f"scroll(point='<point>{x} {y}</point>', direction='down')",
                f"type(content='{draw(st.text(max_size=20))}')",
                "finished(content='done')",
                "wait()",
            ]
        )
    )
    return f"Thought: {draw(st.text(max_size=30))}\nAction: {form}"


@st.composite
def qwen_replies(draw: st.DrawFn) -> str:
    coordinate = draw(st.lists(numbers, min_size=0, max_size=3) | st.text(max_size=10))
    action = draw(
        st.sampled_from(
            ["left_click", "double_click", "right_click", "mouse_move", "left_click_drag", "scroll", "type"]
        )
    )
    arguments = {"action": action, "coordinate": coordinate}
    if draw(st.booleans()):
        arguments["start_coordinate"] = draw(st.lists(numbers, min_size=2, max_size=2))
    if action == "scroll":
        arguments["pixels"] = draw(numbers)
    if action == "type":
        arguments["text"] = draw(st.text(max_size=20))
    name = draw(st.sampled_from(["computer_use", "computer_use", "run_shell"]))
    if name == "run_shell":
        arguments = {"command": draw(st.text(max_size=40))}
    try:
        body = json.dumps({"name": name, "arguments": arguments})
    except ValueError:
        body = "{}"
    return f"{draw(st.text(max_size=20))}<tool_call>{body}</tool_call>"


@st.composite
def json_replies(draw: st.DrawFn) -> str:
    point = {"x": draw(numbers), "y": draw(numbers)}
    action = draw(
        st.sampled_from(
            [
                {"kind": "click", "at": point},
                {"kind": "move", "at": point},
                {"kind": "drag", "start": point, "end": {"x": draw(numbers), "y": draw(numbers)}},
                {"kind": "scroll", "direction": "down", "at": point},
                {"kind": "type_text", "text": draw(st.text(max_size=10))},
                {"kind": "finish", "summary": "x"},
            ]
        )
    )
    try:
        return json.dumps({"thought": draw(st.text(max_size=10)), "actions": [action]})
    except ValueError:
        return "{}"


# Text that carries no grammar at all: no brackets, quotes, colons or equals signs.
garbage = st.text(
    alphabet=st.characters(blacklist_characters="(){}[]<>:=\"'`|\\", blacklist_categories=["Cs"])
)

# ----------------------------------------------------------------------------- shell commands

DANGEROUS = corpus("block")
SAFE = corpus("auto")
ONE_LINE_DANGEROUS = [c for c in DANGEROUS if "\n" not in c]


def _wrap(template: str, command: str) -> str:
    """Put ``command`` into ``template`` at ``{}`` (as is) or ``{q}`` (shell-quoted)."""
    marked = template.replace("{q}", "\0q").replace("{}", "\0c")
    return marked.replace("\0q", shlex.quote(command)).replace("\0c", command)


# "$( {})" has a space: "$((crontab))" would be arithmetic (the variable crontab), which
# the shell never runs -- the fuzzer found that, correctly judged "auto".
WRAPPERS = [
    "{}", "ls; {}", "echo ok && {}", "false || {}", "({})", "{ {}; }", "true; {}", "{} # comment", "  {}  ",
    "sh -c {q}", "bash -c {q}", "eval {q}", "env -i {}", "timeout 5 {}", "nice -n 5 {}", "nohup {} &",
    "command {}", "x=$( {})", "echo $( {})", "echo \"$( {})\"", "if true; then {}; fi", "for i in 1; do {}; done",
    "while false; do :; done; {}", "f() { {}; }; f", "{}\nls", "ls\n{}", "date | {}", "{} | cat",
    "busybox sh -c {q}", "bash -lc {q}", "sh -c \"sh -c {q}\"", "stdbuf -oL {}", "exec {}",
    "setsid {}", "echo {q} | sh", "watch -n 1 {}", "FOO=bar {}", "cd /tmp; cd -; {}",
]  # fmt: skip


@st.composite
def wrapped_dangerous(draw: st.DrawFn) -> str:
    command = draw(st.sampled_from(ONE_LINE_DANGEROUS))
    for _ in range(draw(st.integers(1, 3))):
        command = _wrap(draw(st.sampled_from(WRAPPERS)), command)
    prefix = draw(st.lists(st.sampled_from([c for c in SAFE if "\n" not in c and "#" not in c]), max_size=2))
    joiner = draw(st.sampled_from(["; ", " && ", "\n", " || "]))
    return joiner.join([*prefix, command])


shell_soup = st.lists(
    st.sampled_from(
        [
            "rm", "-rf", "~", "/", "sudo", "|", "||", "&&", ";", "&", "(", ")", "{", "}", "$(", "`", "'", '"', "\\",
            "$'", "\\x72", "$X", "X=", "${", "<<", "EOF", "\n", ">", ">>", "2>&1", "<(", "eval", "sh", "-c", "curl",
            "base64", "-d", "*", "echo", "cd", "..", "#", "=", " ", "!", "[[", "]]", "((", "))", "case", "in", "esac",
            "for", "do", "done", "function", "f()", ":(){", ":|:&", "};:", "$'\\x", "${X:-", "/dev/sda", "xargs",
            "find", "-exec", "{}", "\\;", "+", "dd", "of=", "chmod", "777", "ls", "cat", "~/.ssh/id_rsa",
        ]
    ),
    max_size=40,
).map(" ".join)  # fmt: skip
