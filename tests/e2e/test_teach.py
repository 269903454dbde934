"""`deskhand teach` end to end (issue 15): real XTest input (xdotool) played into the orchard
window while `deskhand teach` records; the demonstration becomes a skill in words, with a
parameter, and `deskhand skills run` replays it on a rearranged window -- the same widgets
get the events, without asking the fake model.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_skill_replay import events, start_orchard
from tests.e2e.window_ready import wait_until_ready
from tests.e2e.xsession import XSession, a11y_session, deskhand, read_events, wait_for
from tests.fakeollama import FakeOllama

pytestmark = pytest.mark.desktop

MODEL = ("--model", "qwen2.5vl:7b")
GREETING = "Grüße aus Köln"
# A German keyboard has these keys: bind them to spare keycodes, as its layout would, so
# the orchard (not only the recorder) gets them reliably from xdotool under Xvfb.
GERMAN_KEYS = {250: "udiaeresis Udiaeresis", 251: "ssharp", 252: "odiaeresis Odiaeresis"}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("deskhand-teach-data")


@pytest.fixture(scope="module")
def screen(data_dir: Path) -> Iterator[XSession]:
    with a11y_session(1920, 1080, data_dir) as session:
        for code, keysyms in GERMAN_KEYS.items():
            session.run(["xmodmap", "-e", f"keycode {code} = {keysyms}"])
        yield session


# The sleeps in these demonstrations stay: they are the user's pace.  Teaching looks up each
# click on its recording thread while the user goes on; a demonstration done faster than that
# was seen to lose a click just before the stop key ("Nothing was recorded") and to keep a
# password as plain text.  No event says when a lookup is done.  PACE is one such pause.
PACE = 0.3


class Teaching:
    """`deskhand teach` running in the background on ``screen``."""

    def __init__(self, screen: XSession, *args: str) -> None:
        exe = Path(sys.executable).with_name("deskhand")
        self.out = screen.tmp / f"teach-{time.monotonic_ns()}.out"
        with self.out.open("w") as sink:
            self.proc = subprocess.Popen([str(exe), "teach", *args], env=screen.env, stdin=subprocess.DEVNULL,
                                         stdout=sink, stderr=subprocess.STDOUT, text=True)  # fmt: skip
        wait_for(lambda: "Recording your clicks" in self.out.read_text(), 30, "the recording to start")
        time.sleep(PACE)

    def finish(self) -> tuple[int, str]:
        code = self.proc.wait(timeout=60)
        return code, self.out.read_text(encoding="utf-8")


def show(screen: XSession, centres: dict[str, list[int]]) -> None:
    """The user's demonstration: Pear, the Note field, the greeting, Plum -- then the stop key."""
    for what in ("Pear", "Note"):
        x, y = centres[what]
        screen.run(["xdotool", "mousemove", str(x), str(y), "click", "1"])
        time.sleep(PACE)
    screen.run(["xdotool", "type", "--delay", "40", GREETING])
    time.sleep(PACE)
    x, y = centres["Plum"]
    screen.run(["xdotool", "mousemove", str(x), str(y), "click", "1"])
    time.sleep(PACE)
    screen.run(["xdotool", "key", "ctrl+alt+End"])


@pytest.fixture(scope="module")
def taught(screen: XSession) -> str:
    log, centres = start_orchard(screen, "Apple,Pear,Plum", "top-left")
    teaching = Teaching(screen, "greet", "--param", f"note={GREETING}", "--yes")
    show(screen, centres)
    code, out = teaching.finish()
    assert code == 0, out
    assert [e["button"] for e in events(log) if e["event"] == "click"] == ["Pear", "Plum"]  # really shown
    return out


def test_the_demonstration_reads_as_words(taught: str, screen: XSession) -> None:
    assert "press Ctrl+Alt+End when you are done" in taught
    assert "  1. click the button 'Pear' in 'Orchard Panel'\n" in taught
    assert "  2. click the field 'Note' in 'Orchard Panel'\n" in taught
    assert "  3. type '{{note}}'\n" in taught
    assert "  4. click the button 'Plum' in 'Orchard Panel'\n" in taught
    assert f"parameter note: default '{GREETING}'" in taught
    assert "Saved skill 'greet'" in taught
    shown = deskhand(screen, "skills", "show", "greet")
    assert shown.returncode == 0, shown.stderr
    assert f"--param note=...  (default '{GREETING}')" in shown.stdout  # the non-ASCII text, exactly


def test_the_taught_skill_replays_on_a_rearranged_window(taught: str, screen: XSession) -> None:
    log, _ = start_orchard(screen, "Plum,Apple,Pear", "bottom-right")
    with FakeOllama(models={"qwen2.5vl:7b": True}) as ollama:
        r = deskhand(screen, "skills", "run", "greet", "--param", "note=Hallo Welt, ça va?", *MODEL,
                     "--host", ollama.url, "--yes")  # fmt: skip
        assert ollama.chat_requests == []  # every target was found again
    assert r.returncode == 0, r.stdout + r.stderr
    assert [e["button"] for e in events(log) if e["event"] == "click"] == ["Pear", "Plum"]
    assert [e["text"] for e in events(log) if e["event"] == "text"][-1] == "Hallo Welt, ça va?"


def test_nothing_is_kept_without_a_yes(screen: XSession) -> None:
    _, centres = start_orchard(screen, "Apple,Pear,Plum", "center")
    teaching = Teaching(screen, "unkept")  # stdin is not a terminal and holds no answer
    x, y = centres["Apple"]
    screen.run(["xdotool", "mousemove", str(x), str(y), "click", "1"])
    time.sleep(PACE)
    screen.run(["xdotool", "key", "ctrl+alt+End"])
    code, out = teaching.finish()
    assert code == 3, out
    assert "1. click the button 'Apple' in 'Orchard Panel'" in out and "Not kept." in out
    assert deskhand(screen, "skills", "show", "unkept").returncode == 2


def test_an_empty_demonstration_keeps_nothing(screen: XSession) -> None:
    teaching = Teaching(screen, "empty", "--yes")
    screen.run(["xdotool", "key", "ctrl+alt+End"])
    code, out = teaching.finish()
    assert code == 1, out
    assert "Nothing was recorded" in out


def start_login(screen: XSession, *options: str) -> tuple[Path, dict[str, list[int]]]:
    log = screen.tmp / f"login-{time.monotonic_ns()}.jsonl"
    screen.start_app([sys.executable, "-m", "tests.e2e.apps.login", "--log", str(log), *options])
    wait_for(lambda: log.exists() and "ready" in log.read_text(), 20, "the login window")
    centres: dict[str, list[int]] = read_events(log)[0]["centres"]  # type: ignore[assignment]
    wait_until_ready(screen, "Login Panel", centres)
    return log, centres


def test_a_password_typed_while_teaching_is_never_stored(screen: XSession, data_dir: Path) -> None:
    log, centres = start_login(screen)
    teaching = Teaching(screen, "login", "--yes")
    for field, text in (("User", "anna"), ("Password", "hunter2")):
        x, y = centres[field]
        screen.run(["xdotool", "mousemove", str(x), str(y), "click", "1"])
        time.sleep(PACE)
        screen.run(["xdotool", "type", "--delay", "40", text])
        time.sleep(PACE)
    screen.run(["xdotool", "key", "ctrl+alt+End"])
    code, out = teaching.finish()
    assert code == 0, out
    assert "  4. type '{{password}}'\n" in out
    assert "parameter password: typed into a password field: not stored, asked each run" in out
    kept = (data_dir / "skills" / "login.yaml").read_text(encoding="utf-8")
    assert "hunter" not in out + kept and "anna" in kept
    missing = deskhand(screen, "skills", "run", "login", *MODEL, "--host", "http://127.0.0.1:9", "--yes")
    assert missing.returncode == 2 and "needs a value for 'password'" in missing.stderr
    log, _ = start_login(screen)
    with FakeOllama(models={"qwen2.5vl:7b": True}) as ollama:
        r = deskhand(screen, "skills", "run", "login", "--param", "password=s3cret", *MODEL,
                     "--host", ollama.url, "--yes")  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr
    typed = {e["field"]: e["text"] for e in read_events(log) if e["event"] == "text"}
    assert typed == {"User": "anna", "Password": "s3cret"}


def test_typing_where_focus_is_not_known_for_sure_is_never_stored(screen: XSession, data_dir: Path) -> None:
    """The password field keeps its application busy as it gets focus: neither the click's
    lookup nor the focus lookup gets an answer from its tree in time.  What was typed then
    is kept out (a secret parameter), and the review says so."""
    log, centres = start_login(screen, "--busy-on-focus", "4")
    teaching = Teaching(screen, "slowlogin", "--yes")
    x, y = centres["Password"]
    screen.run(["xdotool", "mousemove", str(x), str(y), "click", "1"])
    time.sleep(PACE)
    screen.run(["xdotool", "type", "--delay", "40", "hunter2"])
    wait_for(lambda: any(e.get("text") == "hunter2" for e in read_events(log)), 30, "the password typed")
    screen.run(["xdotool", "key", "ctrl+alt+End"])
    code, out = teaching.finish()
    assert code == 0, out
    kept = (data_dir / "skills" / "slowlogin.yaml").read_text(encoding="utf-8")
    assert "hunter" not in out + kept
    assert "  2. type '{{password}}'\n" in out
    assert "kept out: text you typed, not stored (parameter password, asked each run): " in out


def test_a_click_just_before_the_stop_key_is_kept(screen: XSession) -> None:
    """No pause between the last click and the stop hotkey: the click is still being looked
    up as the grabbed hotkey comes, and must not be lost."""
    _, centres = start_orchard(screen, "Apple,Pear,Plum", "center")
    teaching = Teaching(screen, "quick", "--yes")
    x, y = centres["Apple"]
    screen.run(["xdotool", "mousemove", str(x), str(y), "click", "1", "key", "ctrl+alt+End"])
    code, out = teaching.finish()
    assert code == 0, out
    assert "  1. click the button 'Apple' in 'Orchard Panel'\n" in out and "Saved skill 'quick'" in out
