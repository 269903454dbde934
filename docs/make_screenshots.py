"""Screenshots of the tray app's windows for the README, taken from the real app.

    .venv/bin/python docs/make_screenshots.py        # writes docs/screenshots/*.png

It starts a private X display (Xvfb 1600x900, openbox, trayer), the fake Ollama and the
test form, runs real tasks through the app and grabs each window with mss.  Nothing
touches your own display, config or history.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
MODEL = "qwen2.5vl:7b"
sys.path.insert(0, str(ROOT))


def main() -> int:
    if "--inside" in sys.argv:
        return inside()
    from tests.e2e.xsession import wait_for, x_session

    with x_session(1600, 900) as screen, tempfile.TemporaryDirectory() as tmp:
        screen.run(["xsetroot", "-solid", "#37474f"])  # a desktop colour instead of black
        screen.spawn(["trayer", "--edge", "top", "--align", "right", "--widthtype", "pixel", "--width", "90"])
        wait_for(lambda: b'"panel"' in screen.run(["xwininfo", "-root", "-tree"]).stdout, what="trayer")
        env = {**screen.env, "DESKHAND_DATA_DIR": f"{tmp}/data", "DESKHAND_CONFIG": f"{tmp}/config.toml"}
        argv = [sys.executable, __file__, "--inside"]
        return subprocess.run(argv, env=env, check=False).returncode


def inside() -> int:
    from PySide6.QtCore import QPoint, QRect
    from PySide6.QtWidgets import QApplication, QWidget

    qapp = QApplication(["Deskhand"])
    qapp.setApplicationName("Deskhand")
    qapp.setQuitOnLastWindowClosed(False)

    import mss
    from PIL import Image

    from deskhand.app.platform.hotkeys import shortcut_label
    from deskhand.app.tray.controller import DeskhandApp
    from deskhand.app.tray.tray import Tray
    from tests.fakeollama import FakeOllama

    def settle(until: Callable[[], bool] = lambda: True, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not until():
            if time.monotonic() > deadline:
                raise TimeoutError("the app did not get there in time")
            qapp.processEvents()
            time.sleep(0.02)
        for _ in range(20):  # let the last paint reach the X server
            qapp.processEvents()
            time.sleep(0.02)

    def shoot(name: str, rect: QRect, pad: int = 12) -> None:
        region = rect.adjusted(-pad, -pad, pad, pad).intersected(QRect(0, 0, 1600, 900))
        with mss.MSS() as sct:
            shot = sct.grab(
                {"left": region.x(), "top": region.y(), "width": region.width(), "height": region.height()}
            )
        OUT.mkdir(parents=True, exist_ok=True)
        Image.frombytes("RGB", shot.size, shot.rgb).save(OUT / f"{name}.png", optimize=True)
        sys.stdout.write(f"wrote {OUT / name}.png ({shot.width}x{shot.height})\n")

    def frame(widget: QWidget) -> QRect:
        return widget.frameGeometry()

    with FakeOllama(models={MODEL: True}) as ollama:
        Path(os.environ["DESKHAND_CONFIG"]).write_text(f'host = "{ollama.url}"\nmodel = "{MODEL}"\n')
        log = Path(os.environ["DESKHAND_DATA_DIR"]).parent / "form.jsonl"
        form = subprocess.Popen(
            [sys.executable, "-m", "tests.e2e.apps.form", "--log", str(log), "--place", "bottom-left"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        app = DeskhandApp()
        tray = Tray(app)
        app.hotkey_hints = {
            "new_task": shortcut_label("Ctrl+Alt+Space"),
            "stop": shortcut_label("Ctrl+Alt+End"),
        }
        tray.show()
        try:
            settle(lambda: log.exists() and "ready" in log.read_text())

            # 1. The command bar, with a task typed in.
            app.open_command_bar()
            app.command_bar.entry.setText("Click Apply in the test form")
            settle(app.command_bar.isVisible)
            shoot("command-bar", frame(app.command_bar))
            app.command_bar.hide()

            # 2. The stop bar while the model thinks about step 2.
            ollama.script(
                [
                    {
                        "do": "click",
                        "target": "Apply",
                        "thought": "The Apply button is at the top of the form.",
                    },
                    {"do": "hang", "seconds": 3, "then": {"do": "finish", "summary": "Clicked Apply."}},
                ]
            )
            app.start_task("Click Apply in the test form")
            settle(lambda: len(ollama.chat_requests) == 2 and app.stop_bar.isVisible())
            shoot("stop-bar", frame(app.stop_bar))
            settle(lambda: not app.session.running)

            # 3. The run view after the task, step 1 picked in its timeline: marker on Apply.
            app.run_view.timeline.setCurrentRow(0)
            app.run_view.move(740, 60)
            app.show_run_view()
            settle(app.run_view.isVisible)
            shoot("run-view", frame(app.run_view), pad=4)
            app.run_view.hide()

            # 4. A confirmation: the model wants to install a package.
            ollama.script(
                [
                    {
                        "do": "shell",
                        "command": "pip install --user requests",
                        "thought": "I need the library.",
                    },
                    {"do": "finish", "summary": "Gave up without the library."},
                ]
            )
            opened: list[QWidget] = []
            app.dialogs.opened.connect(opened.append)
            app.start_task("Fetch the weather with a Python script")
            settle(lambda: bool(opened))
            dialog = opened[0]
            dialog.move(520, 260)
            settle()
            shoot("confirm-dialog", frame(dialog), pad=4)
            dialog.reject()
            settle(lambda: not app.session.running)

            # 5. The tray icon with its menu open.
            icon = tray.icon.geometry()
            tray.menu.popup(QPoint(icon.right() - 260, icon.bottom() + 2))
            settle(tray.menu.isVisible)
            shoot("tray-menu", frame(tray.menu).united(icon), pad=6)
            tray.menu.hide()
        finally:
            app.shutdown()
            tray.icon.hide()
            form.terminate()
            form.wait(5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
