"""``deskhand`` with no command: start the tray app (or wake the one already running).

Order matters.  The ``QApplication`` is created before anything can import pyautogui:
on Windows, Qt makes the process DPI-aware as it starts, and pyautogui must see the
real pixel grid, not a scaled one.  Then the single-instance check, so a second launch
costs only a socket round trip.  Everything else is imported after that.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import time

from deskhand.core.errors import SetupError

log = logging.getLogger(__name__)


# The shared libraries PySide6's wheels expect from a Debian/Ubuntu system (Makefile APT_PACKAGES).
QT_SYSTEM_LIBS = "libegl1 libgl1 libfontconfig1 libxkbcommon-x11-0 libxcb-cursor0 libdbus-1-3"


def qt_missing(exc: ImportError, python: str = sys.executable) -> SetupError:
    """Why Qt did not import, and the one command that fixes it (the tray app cannot start)."""
    if (exc.name or "").split(".")[0] in ("PySide6", "shiboken6"):
        return SetupError(
            "Tried to start the tray app, but Qt for Python (PySide6) is not installed here. "
            f"Install it with `{python} -m pip install pyside6-essentials`; "
            "`deskhand do`, `doctor` and the other commands work without it."
        )
    fix = f"`sudo apt install {QT_SYSTEM_LIBS}`" if sys.platform.startswith("linux") else "reinstall PySide6"
    return SetupError(
        f"Tried to start the tray app, but Qt could not load ({exc}). Install its libraries: {fix}."
    )


def run_app(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    try:
        from PySide6.QtWidgets import QApplication
    except ImportError as exc:
        raise qt_missing(exc) from exc

    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(qapp, QApplication)  # noqa: S101 - we created it, or a test did
    qapp.setApplicationName("Deskhand")
    qapp.setQuitOnLastWindowClosed(False)

    from deskhand.app.tray.single_instance import SingleInstance

    instance = SingleInstance()
    if not instance.claim():
        sys.stderr.write("deskhand: Deskhand is already running; its command bar is open.\n")
        return 0
    try:
        return _run(qapp, instance, started)
    finally:
        instance.close()


def _run(qapp: object, instance: object, started: float) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QSystemTrayIcon

    from deskhand.app.platform.hotkeys import shortcut_label
    from deskhand.app.store.config import config_path, load_settings
    from deskhand.app.tray.controller import DeskhandApp
    from deskhand.app.tray.gui_gc import GuiThreadCollector
    from deskhand.app.tray.single_instance import SingleInstance
    from deskhand.app.tray.tray import Tray

    assert isinstance(instance, SingleInstance)  # noqa: S101 - typed loosely to keep imports lazy
    settings = load_settings()  # a bad config file is a usage error before any window opens
    collector = GuiThreadCollector()  # Qt objects die on the GUI thread only (see gui_gc)
    controller = DeskhandApp()
    controller.recover_from_crash()
    if settings.inspect_targets:  # after the tray shows: it imports the vision layer
        QTimer.singleShot(0, _accessibility_on)
    problems = controller.bind_hotkeys(settings)
    tray = Tray(controller)
    instance.show_requested.connect(controller.open_command_bar)
    instance.mcp_connected.connect(controller.mcp.adopt)

    if QSystemTrayIcon.isSystemTrayAvailable():
        tray.show()
        tray.watch_server()
    else:
        sys.stderr.write(
            "deskhand: no system tray was found, so Deskhand shows its command bar instead; "
            f"open it again with {shortcut_label(settings.hotkey_command_bar)}.\n"
        )
        controller.open_command_bar()
    for problem in problems:
        tray.notify("Deskhand: hotkey", problem, True)
    if not config_path().exists():
        QTimer.singleShot(0, lambda: controller.open_window("first_run", quiet=True))
    QTimer.singleShot(0, controller.start_schedules)  # after the tray shows: it may ask

    # Ctrl+C / SIGTERM quit cleanly (stop the task, release keys). Python runs signal
    # handlers only between bytecodes, so a timer lets the interpreter in now and then.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: QTimer.singleShot(0, controller.quit))
    heartbeat = QTimer()
    heartbeat.start(250)
    heartbeat.timeout.connect(lambda: None)

    log.info("ready in %.0f ms (tray %s)", (time.perf_counter() - started) * 1000, tray.icon.isVisible())
    try:
        return QApplication.exec()
    finally:
        if controller.hotkeys is not None:
            controller.hotkeys.stop()
        collector.stop()


def _accessibility_on() -> None:
    """Apps started from now on publish their accessibility trees (for the risk policy)."""
    from deskhand.app.wiring import accessibility_on

    accessibility_on()
