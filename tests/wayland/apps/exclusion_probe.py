"""The tray app's screen exclusion on Wayland: a red Stop bar of ours is shown, then one
screenshot is taken without exclusion and one through ``ExcludingScreen``; prints JSON with
the red pixels in each and whether the bar is visible again afterwards.

Run in the headless session: python -m tests.wayland.apps.exclusion_probe
"""

from __future__ import annotations

import io
import json
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from deskhand.app.platform.screen_exclusion import ExcludingScreen, OurWindows
from deskhand.app.tray.gui_call import GuiInvoker
from deskhand.app.windows.stop_bar import StopBar
from deskhand.core.geometry import Grid
from deskhand.vision.portal.desktop import PortalDesktop, PortalScreen
from deskhand.vision.portal.tokens import TokenStore
from tests.ui.test_app_flow import red_pixels

GRID = Grid(factor=28, min_pixels=3136, max_pixels=1003520)


def main() -> None:
    app = QApplication(sys.argv[:1])
    windows = OurWindows(GuiInvoker())
    bar = StopBar()
    windows.register(bar)
    bar.show()
    token = Path(tempfile.mkdtemp()) / "token"
    desktop = PortalDesktop.open(TokenStore(token), explain=lambda _t: None, remote=False)
    raw = PortalScreen(desktop, desktop.monitors[0], GRID, jpeg_quality=80)
    screen = ExcludingScreen(raw, windows)
    result: dict[str, object] = {"wayland": windows.wayland}

    def shoot() -> None:
        deadline = time.monotonic() + 15  # until the bar is drawn and on the stream
        while (red := red_pixels(Image.open(io.BytesIO(raw.observe().image)))) < 500:
            if time.monotonic() > deadline:
                break
            time.sleep(0.1)
        result["plain"] = red
        result["excluded"] = red_pixels(Image.open(io.BytesIO(screen.observe().image)))
        result["overhead_ms"] = round(screen.last_overhead_ms)

    pool = ThreadPoolExecutor(1)

    def start() -> None:
        future = pool.submit(shoot)

        def check() -> None:
            if not future.done():
                QTimer.singleShot(20, check)
                return
            future.result()
            QTimer.singleShot(300, finish)

        check()

    def finish() -> None:
        result["visible_after"] = bar.isVisible()
        raw.close()
        print(json.dumps(result), flush=True)
        app.quit()

    QTimer.singleShot(300, start)
    app.exec()
    pool.shutdown()


if __name__ == "__main__":
    main()
