"""Skills end to end (issue 15): a task done once with `deskhand do`, saved with a parameter,
replayed on another screen size with the window moved, the buttons reordered and a new
parameter value -- the same widgets get the events and the model is asked at most once.
Replays that cannot get a confirmation, or meet a blocked command, run nothing risky.

Each screen has its own accessibility bus (as each desktop session does); both share one
data dir, so the audit log and the skills are the same for both.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.window_ready import wait_until_ready
from tests.e2e.xsession import XSession, a11y_session, deskhand, read_events, steps_of, wait_for
from tests.fakeollama import FakeOllama

pytestmark = pytest.mark.desktop

MODEL = ("--model", "qwen2.5vl:7b")
IMAGE_1080 = (1316, 728)  # what a 1080p screenshot becomes for the Qwen grid


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("deskhand-data")


@pytest.fixture(scope="module")
def screen_big(data_dir: Path) -> Iterator[XSession]:
    with a11y_session(1920, 1080, data_dir) as session:
        yield session


@pytest.fixture(scope="module")
def screen_small(data_dir: Path) -> Iterator[XSession]:
    with a11y_session(1366, 768, data_dir) as session:
        yield session


def start_orchard(session: XSession, buttons: str, place: str) -> tuple[Path, dict[str, list[int]]]:
    log = session.tmp / f"orchard-{time.monotonic_ns()}.jsonl"
    session.start_app([sys.executable, "-m", "tests.e2e.apps.orchard", "--log", str(log),
                       "--buttons", buttons, "--place", place])  # fmt: skip
    wait_for(lambda: log.exists() and "ready" in log.read_text(), 20, "the orchard window")
    centres: dict[str, list[int]] = read_events(log)[0]["centres"]  # type: ignore[assignment]
    wait_until_ready(session, "Orchard Panel", centres)
    return log, centres


def events(log: Path) -> list[dict[str, object]]:
    return [e for e in read_events(log) if e["event"] != "ready"]


def do_the_task(screen: XSession, ollama: FakeOllama, out: Path) -> None:
    """`deskhand do`: click Pear, type into Note, append the note to a file (asks), click Plum."""
    log, centres = start_orchard(screen, "Apple,Pear,Plum", "top-left")
    nx, ny = centres["Note"]
    ollama.script([
        {"do": "click", "target": "Pear"},
        {"do": "click", "at": [nx * IMAGE_1080[0] / 1920, ny * IMAGE_1080[1] / 1080]},
        {"do": "type", "text": "Grüße aus Köln"},
        {"do": "shell", "command": f"printf '%s\\n' 'Grüße aus Köln' >> {out}"},
        {"do": "click", "target": "Plum"},
        {"do": "finish", "summary": "done"},
    ])  # fmt: skip
    r = deskhand(screen, "do", "note a greeting in the orchard", *MODEL, "--host", ollama.url, stdin="y\n")
    assert r.returncode == 0, r.stdout + r.stderr
    assert [e["button"] for e in events(log) if e["event"] == "click"] == ["Pear", "Plum"]
    assert [e["text"] for e in events(log) if e["event"] == "text"][-1] == "Grüße aus Köln"
    assert out.read_text(encoding="utf-8") == "Grüße aus Köln\n"


@pytest.fixture(scope="module")
def saved(screen_big: XSession, data_dir: Path) -> Path:
    """The task done and saved as skill "orchard" with parameter note; yields the output file."""
    out = screen_big.tmp / "notes.txt"
    with FakeOllama(models={"qwen2.5vl:7b": True}) as ollama:
        do_the_task(screen_big, ollama, out)
    r = deskhand(screen_big, "skills", "save", "orchard", "--last", "--param", "note=Grüße aus Köln")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Saved skill 'orchard' (5 steps)" in r.stdout
    return out


def test_saved_skill_reads_as_words(saved: Path, screen_big: XSession, data_dir: Path) -> None:
    r = deskhand(screen_big, "skills", "show", "orchard")
    assert r.returncode == 0, r.stderr
    assert "1. click the button 'Pear' in 'Orchard Panel'" in r.stdout
    assert "2. click the field 'Note' in 'Orchard Panel'" in r.stdout
    assert "3. type '{{note}}'" in r.stdout
    assert "4. run `printf '%s\\n' '{{note}}' >>" in r.stdout
    assert "--param note=...  (default 'Grüße aus Köln')" in r.stdout
    text = (data_dir / "skills" / "orchard.yaml").read_text(encoding="utf-8")
    assert "default: Grüße aus Köln" in text
    listed = deskhand(screen_big, "skills", "list")
    assert listed.returncode == 0 and listed.stdout.startswith(
        "orchard (5 steps; parameters: note): note a greeting"
    )


def test_replay_on_a_changed_screen_hits_the_same_widgets(
    saved: Path, screen_small: XSession, tmp_path: Path
) -> None:
    log, _ = start_orchard(screen_small, "Plum,Apple,Pear", "bottom-right")
    trace = tmp_path / "trace"
    with FakeOllama(models={"qwen2.5vl:7b": True}) as ollama:
        ollama.script([{"do": "finish", "summary": "nothing to do"}])  # at most one answer is needed
        r = deskhand(screen_small, "skills", "run", "orchard", "--param", "note=Hallo Welt, ça va?",
                     *MODEL, "--host", ollama.url, "--yes", "--trace", str(trace))  # fmt: skip
        asked = len(ollama.chat_requests)
    assert r.returncode == 0, r.stdout + r.stderr
    assert asked <= 1
    clicks = [e["button"] for e in events(log) if e["event"] == "click"]
    assert clicks == ["Pear", "Plum"]
    texts = [e["text"] for e in events(log) if e["event"] == "text"]
    assert texts[-1] == "Hallo Welt, ça va?"
    assert saved.read_text(encoding="utf-8").splitlines()[-1] == "Hallo Welt, ça va?"
    steps = steps_of(trace)
    found = [(s["skill_step"], s["found_by"]) for s in steps]
    assert found == [(1, "accessibility"), (2, "accessibility"), (3, None), (4, None), (5, "accessibility")]
    assert all("find_ms" in s and "timings_ms" in s for s in steps)
    assert "Replayed skill 'orchard'" in r.stdout
    again = deskhand(
        screen_small, "skills", "save", "orchard-again", "--last", "--param", "note=Hallo Welt, ça va?"
    )
    assert again.returncode == 0, again.stdout + again.stderr  # a replay can be kept in turn
    assert "Saved skill 'orchard-again' (5 steps)" in again.stdout and "3. type '{{note}}'" in again.stdout


def test_replay_without_an_answer_runs_nothing_risky(saved: Path, screen_small: XSession) -> None:
    log, _ = start_orchard(screen_small, "Apple,Pear,Plum", "center")
    before = saved.read_text(encoding="utf-8")
    with FakeOllama(models={"qwen2.5vl:7b": True}) as ollama:
        r = deskhand(screen_small, "skills", "run", "orchard", "--param", "note=nope", *MODEL,
                     "--host", ollama.url, stdin="")  # fmt: skip
    assert r.returncode == 1, r.stdout + r.stderr
    assert "Step 4 of skill 'orchard'" in r.stdout and "denied" in r.stdout
    assert saved.read_text(encoding="utf-8") == before  # the command never ran
    assert [e["button"] for e in events(log) if e["event"] == "click"] == ["Pear"]  # stopped there


def test_a_hand_edited_wipe_is_blocked_even_with_yes(screen_small: XSession, data_dir: Path) -> None:
    skills = data_dir / "skills"
    skills.mkdir(exist_ok=True)
    (skills / "wipe.yaml").write_text("name: wipe\nsteps:\n  - kind: shell\n    command: rm -rf ~\n")
    home = Path(screen_small.env["HOME"])
    (home / "keep.txt").write_text("still here")
    with FakeOllama(models={"qwen2.5vl:7b": True}) as ollama:
        r = deskhand(screen_small, "skills", "run", "wipe", *MODEL, "--host", ollama.url, "--yes")
        assert ollama.chat_requests == []
    assert r.returncode == 1, r.stdout + r.stderr
    assert "Step 1 of skill 'wipe'" in r.stdout and "blocked" in r.stdout
    assert (home / "keep.txt").read_text() == "still here"


def test_a_target_gone_and_the_model_cannot_find_it_names_the_step(
    saved: Path, screen_small: XSession
) -> None:
    log, _ = start_orchard(screen_small, "Apple,Plum", "center")  # no Pear
    with FakeOllama(models={"qwen2.5vl:7b": True}) as ollama:
        ollama.script([{"do": "fail", "summary": "there is no Pear button"}])
        r = deskhand(screen_small, "skills", "run", "orchard", *MODEL, "--host", ollama.url, "--yes")
        assert len(ollama.chat_requests) == 1
    assert r.returncode == 1, r.stdout + r.stderr
    assert "Step 1 of skill 'orchard' (click the button 'Pear' in 'Orchard Panel') stopped" in r.stdout
    assert "there is no Pear button" in r.stdout and "no step was done" in r.stdout
    assert events(log) == []
