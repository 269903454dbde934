"""`deskhand do` on a headless GNOME mutter session, through the real xdg-desktop-portal.

The fake model finds targets by OCR on the screenshots it is sent (the portal's PipeWire
frames); the board app (Wayland-native Qt) logs where clicks, text and drops landed.  Every
run's consent dialog is answered by the session (``tests.wayland.session``): portal 1.16
cannot keep a RemoteDesktop permission, so each task asks -- and says so.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fakeollama import FakeOllama
from tests.wayland.conftest import MODEL, Board, do, inside, start_board
from tests.wayland.session import WaylandSession

pytestmark = pytest.mark.wayland


@pytest.fixture(scope="module")
def board(session: WaylandSession) -> Board:
    return start_board(session)


def test_click_lands_on_the_button_the_model_saw(
    session: WaylandSession, board: Board, ollama: FakeOllama, tmp_path: Path
) -> None:
    asked = len(session.dialogs)
    ollama.script([{"do": "click", "target": "Cancel"}, {"do": "finish", "summary": "Clicked Cancel."}])
    result = do(session, ollama, "Click Cancel", "--trace", str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    clicks = board.seen("click")
    assert [c["button"] for c in clicks] == ["Cancel"]
    x, y = clicks[0]["at"]  # type: ignore[misc]
    assert inside(board.widgets["Cancel"], x, y), clicks
    step = json.loads((tmp_path / "steps.jsonl").read_text().splitlines()[0])
    assert step["screen_rect"] == [0, 0, 1280, 720]
    assert (tmp_path / step["screenshot"]).read_bytes()[:2] == b"\xff\xd8"
    # The consent: explained by Deskhand first, then the desktop's dialog, once for this task.
    assert "Your desktop will now ask you once" in result.stderr
    assert "cannot keep the permission, so it asks each time Deskhand starts" in result.stderr
    assert session.dialogs[asked:] == [{"dialog": True, "remote": True, "persist": 0}]


def test_type_unicode_into_the_entry(session: WaylandSession, board: Board, ollama: FakeOllama) -> None:
    text = "Grüße, Zoë: 42 € ½ ñ"
    ollama.script([{"do": "click", "target": "Name"}, {"do": "type", "text": text}, {"do": "finish"}])
    result = do(session, ollama, "Type a greeting")
    assert result.returncode == 0, result.stdout + result.stderr
    assert board.seen("text")[-1]["text"] == text


def test_drag_the_tile_onto_the_target(session: WaylandSession, board: Board, ollama: FakeOllama) -> None:
    ollama.script([{"do": "drag", "target": "Drag", "to": "Drop"}, {"do": "finish"}])
    result = do(session, ollama, "Drag the tile onto the target")
    assert result.returncode == 0, result.stdout + result.stderr
    drop = board.seen("drop")[-1]
    assert inside(board.widgets["target"], drop["x"], drop["y"]), drop


def test_shell_step_output_reaches_the_model(session: WaylandSession, ollama: FakeOllama) -> None:
    ollama.script(
        [
            {"do": "shell", "command": "echo RESULT=$((6*7))"},
            {"do": "finish", "summary": "The answer is {match}", "pattern": "RESULT=(\\d+)"},
        ]
    )
    result = do(session, ollama, "Compute six times seven")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "The answer is 42" in result.stdout


def test_a_refused_dialog_is_a_set_up_error(session: WaylandSession, ollama: FakeOllama) -> None:
    session.answer_dialogs("deny")
    try:
        result = do(session, ollama, "Click Apply")
    finally:
        session.answer_dialogs("allow")
    assert result.returncode == 2, result.stdout + result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(
        "deskhand: error: Tried to get screen and input access through the desktop portal, but it was cancelled."
    )


def test_keys_held_by_a_killed_deskhand_are_released(
    session: WaylandSession, board: Board, ollama: FakeOllama
) -> None:
    """kill -9 while Shift and a letter are down: the portal session ends with the process's
    D-Bus connection and mutter lets go of what its virtual keyboard held."""
    x, y, w, h = board.widgets["entry"]
    holder = subprocess.Popen(
        [sys.executable, "-m", "tests.wayland.apps.hold_keys", str(x + w // 2), str(y + h // 2),
         str(session.tmp / "holder-token")],
        env=session.env, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        time.sleep(0.8)  # the letter auto-repeats into the entry while it is held
    finally:
        holder.kill()
        holder.wait()
    time.sleep(0.5)  # stays: mutter lets go when the portal session ends; nothing here says when
    typed = str(board.seen("text")[-1]["text"])
    assert "AA" in typed, typed  # it was held (auto-repeating), with Shift
    time.sleep(1.0)  # stays: a letter still held would repeat in this while
    assert str(board.seen("text")[-1]["text"]) == typed  # no longer repeating: released
    ollama.script([{"do": "type", "text": "bc"}, {"do": "finish"}])
    result = do(session, ollama, "Type bc")
    assert result.returncode == 0, result.stdout + result.stderr
    final = str(board.seen("text")[-1]["text"])
    assert "Abc" in final and final.replace("bc", "", 1) == typed, final  # Shift is not stuck either


def test_our_windows_are_hidden_from_the_screenshot(session: WaylandSession) -> None:
    """The tray app's exclusion on Wayland: our red Stop bar shows in a plain screenshot, not
    in one taken through ExcludingScreen, and is back on screen afterwards."""
    out = subprocess.run(
        [sys.executable, "-m", "tests.wayland.apps.exclusion_probe"],
        env=session.env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["wayland"] is True
    assert result["plain"] > 500, result  # the bar is on the stream: the check can fail
    assert result["excluded"] == 0, result
    assert result["visible_after"] is True


def test_mcp_uses_the_portal_and_asks_once_per_run(
    session: WaylandSession, board: Board, ollama: FakeOllama
) -> None:
    """`deskhand mcp` on Wayland: its screenshots are the portal's frames and its clicks the
    portal's input (mss and XTest would see and reach only XWayland), and one portal session
    serves the whole run -- two clicks and a task -- so the person answers one dialog."""
    import anyio
    from mcp import Client
    from mcp.client.stdio import StdioServerParameters
    from mcp_types import Implementation, TextContent

    config = Path(session.env["XDG_CONFIG_HOME"]) / "deskhand" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'model = "{MODEL}"\nhost = "{ollama.url}"\nconfirm_timeout = 5\n')
    ollama.script([{"do": "click", "target": "Apply"}, {"do": "finish", "summary": "Clicked Apply."}])
    asked = len(session.dialogs)
    before = len(board.seen("click"))
    exe = str(Path(sys.executable).with_name("deskhand"))

    def text(result: object) -> str:
        return "\n".join(c.text for c in result.content if isinstance(c, TextContent))  # type: ignore[attr-defined]

    async def use(client: Client) -> list[str]:
        out = []
        for label in ("Cancel", "Apply"):
            shot = json.loads(text(await client.call_tool("screenshot", {})))
            x, y, w, h = board.widgets[label]
            sx, sy = shot["width"] / 1280, shot["height"] / 720
            point = {"x": (x + w / 2) * sx, "y": (y + h / 2) * sy, "screenshot_id": shot["screenshot_id"]}
            result = await client.call_tool("click", point)
            out.append(("error: " if result.is_error else "") + text(result))
        task = await client.call_tool("run_task", {"task": "Click Apply", "max_steps": 4})
        out.append(("error: " if task.is_error else "") + text(task))
        return out

    async def main() -> list[str]:
        params = StdioServerParameters(command=exe, args=["mcp"], env=session.env)
        async with Client(params, client_info=Implementation(name="pytest-agent", version="1")) as client:
            return await use(client)

    try:
        results = anyio.run(main)
    finally:
        config.unlink()
    assert not any(r.startswith("error: ") for r in results), results
    clicks = board.seen("click")[before:]
    assert [c["button"] for c in clicks] == ["Cancel", "Apply", "Apply"], (clicks, results)
    for click in clicks:
        assert inside(board.widgets[str(click["button"])], *click["at"]), clicks  # type: ignore[misc]
    assert session.dialogs[asked:] == [{"dialog": True, "remote": True, "persist": 0}]
