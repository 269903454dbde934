"""``deskhand mcp [--http [--port P]]``: Deskhand's tools for any MCP client, the person at the desktop in charge.

The process is a small Qt app of its own: confirmations open Deskhand's own dialog (with
the marker on the target, ``confirm_timeout`` -> deny), and while a client uses the
desktop a stop bar says "Used by <client>"; its Stop ends the running call (a dialog
denies, a task stops) and refuses the client's further calls.  Our own windows are kept
out of screenshots and out of the pointer's way, as in the tray app.  The MCP server runs
on a thread of its own; the GUI thread only shows windows.  Streamable HTTP listens on
127.0.0.1 only, so nothing off this machine can reach the desktop.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING

import anyio
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from deskhand.actions.dispatch import ActionExecutor
from deskhand.actions.settle import ScreenSettler
from deskhand.actions.shell import ShellRunner
from deskhand.app.cli.main import package_version
from deskhand.app.cli.mcp_desk import ClientAudit, DeskParts, DesktopCalls
from deskhand.app.cli.mcp_server import build_server
from deskhand.app.model_choice import resolve_host, resolve_model
from deskhand.app.platform.display import SharedPortal, portal_monitor, share_portal, unshare_portal
from deskhand.app.platform.screen_exclusion import ExcludingExecutor, ExcludingScreen, OurWindows
from deskhand.app.store.config import Settings, load_settings
from deskhand.app.task_session import TaskSession, open_audit_log
from deskhand.app.tray.qt_approver import DialogHost, QtApprover
from deskhand.app.tray.session import AgentState
from deskhand.app.tray.single_instance import server_name
from deskhand.app.tray.tray_link import TrayApprover, TrayLink
from deskhand.app.windows.stop_bar import StopBar
from deskhand.app.wiring import (
    MonotonicClock,
    TaskOptions,
    element_inspector,
    portal_gui,
)
from deskhand.core.errors import SetupError, UsageError
from deskhand.core.geometry import Rect
from deskhand.core.loop import Parts
from deskhand.core.observation import Observation
from deskhand.core.ports import StepSink
from deskhand.core.stop import StopToken
from deskhand.vision.capture import MssScreen, choose_monitor
from deskhand.vision.dialects.common import QWEN25_GRID

if TYPE_CHECKING:
    from deskhand.vision.portal.desktop import PortalDesktop

log = logging.getLogger(__name__)

DEFAULT_PORT = 8765
LOOPBACK = "127.0.0.1"


class Presence:
    """The stop bar as the MCP server's face: who uses the desktop, and Stop.  GUI thread only."""

    def __init__(self, stop: StopToken) -> None:
        self.stop = stop
        self.client = ""
        self.bar = StopBar()
        self.bar.details.hide()
        self.bar.stop_clicked.connect(self.stop_pressed)

    def used_by(self, client: str) -> None:
        if self.stop.requested or (client == self.client and self.bar.isVisible()):
            return
        self.client = client
        self.bar.set_status(AgentState.ACTING, f"Deskhand: used by {client}")
        self.bar.show_near_cursor()

    def explain(self, text: str) -> None:
        """Why the desktop's portal dialog is coming (it asks once per run), on the stop bar."""
        log.info("%s", text)
        self.bar.set_status(AgentState.ACTING, f"Deskhand: {text}")
        self.bar.show_near_cursor()

    def stop_pressed(self) -> None:
        self.stop.request()
        self.bar.set_status(
            AgentState.IDLE, f"Stopped: {self.client or 'the client'}'s calls are refused", True
        )


class _Desk:
    """Screens and settlers per monitor, made once and shared by all calls.

    On Wayland (``portal``: the run's one portal session, ``deskhand.app.platform.display``) they
    read the portal's stream instead of mss, and are made again if the desktop ended the
    session and a new one replaced it."""

    def __init__(
        self, settings: Settings, windows: OurWindows, stop: StopToken, portal: SharedPortal | None
    ) -> None:
        self.settings, self.windows, self.stop, self.portal = settings, windows, stop, portal
        self._screens: dict[Rect, tuple[ExcludingScreen, MssScreen, ScreenSettler, object]] = {}
        self._lock = threading.Lock()

    def _parts(self, rect: Rect) -> tuple[ExcludingScreen, MssScreen, ScreenSettler, object]:
        desktop = self.portal.desktop() if self.portal is not None else None
        with self._lock:
            kept = self._screens.get(rect)
            if kept is not None and kept[3] is not desktop:  # a renewed portal session
                kept[1].close()
                kept[2].close()
                kept = None
            if kept is None:
                raw = self._raw(rect, desktop)
                settler = ScreenSettler(
                    cap=self.settings.settle_cap,
                    on_still=raw.prepare,
                    should_stop=self.stop,
                    grabber=desktop.grab if desktop is not None else None,
                )
                kept = self._screens[rect] = (ExcludingScreen(raw, self.windows), raw, settler, desktop)
            return kept

    def _raw(self, rect: Rect, desktop: PortalDesktop | None) -> MssScreen:
        if desktop is None:
            return MssScreen(rect, QWEN25_GRID, jpeg_quality=self.settings.jpeg_quality)
        from deskhand.vision.portal.desktop import PortalScreen  # jeepney: Linux only

        return PortalScreen(desktop, rect, QWEN25_GRID, jpeg_quality=self.settings.jpeg_quality, owns=False)

    def screen_for(self, monitor: int | None) -> ExcludingScreen:
        if self.portal is not None:
            return self._parts(portal_monitor(self.portal.desktop(), monitor))[0]
        return self._parts(choose_monitor(monitor))[0]

    def settler_for(self, observation: Observation) -> ScreenSettler:
        return self._parts(observation.geometry.screen_rect)[2]

    def close(self) -> None:
        for _, raw, settler, _desktop in self._screens.values():
            raw.close()
            settler.close()


def run_mcp(args: argparse.Namespace) -> int:
    if args.port is not None and not args.http:
        raise UsageError(
            f"Tried to serve MCP on port {args.port}, but a port needs --http (stdio has none). "
            "Add --http, or drop --port."
        )
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        raise SetupError(
            "Tried to serve MCP for this desktop, but there is no graphical session (DISPLAY and "
            "WAYLAND_DISPLAY are unset). Start `deskhand mcp` from inside your desktop session."
        )
    settings = load_settings()
    app = QApplication.instance() or QApplication(["deskhand-mcp"])
    assert isinstance(app, QApplication)  # noqa: S101 - a QCoreApplication here would be a wiring bug
    app.setQuitOnLastWindowClosed(False)
    stop = StopToken()
    dialogs = DialogHost(timeout_s=settings.confirm_timeout)
    presence = Presence(stop)
    windows = OurWindows(dialogs.invoker)
    windows.register(presence.bar)
    # Wayland: one portal session for this run, its dialog explained in the stop bar.
    portal = share_portal(lambda text: dialogs.invoker.post(lambda: presence.explain(text)))
    desk = _Desk(settings, windows, stop, portal)
    audit_log = open_audit_log(settings)
    audit = ClientAudit(audit_log, "http" if args.http else "stdio")
    link = TrayLink(dialogs.invoker)
    if link.open(server_name()):  # a tray app runs: it shows who uses the desktop, and asks
        link.stopped.connect(presence.stop_pressed)
    approver = TrayApprover(
        link, QtApprover(dialogs, stop), timeout=settings.confirm_timeout, should_stop=stop
    )

    def seen(name: str) -> None:
        if not link.connected:
            presence.used_by(name)
        elif name != presence.client:
            presence.client = name
            link.hello(name)

    def keep_ours_out(parts: Parts) -> Parts:
        return replace(
            parts,
            screen=ExcludingScreen(parts.screen, windows),
            executor=ExcludingExecutor(parts.executor, windows),
        )

    def open_task(task: str, max_steps: int | None, sinks: Sequence[StepSink]) -> TaskSession:
        current = load_settings()  # a task uses the settings as they are now, as the tray's does
        host = resolve_host(None, current)
        model = resolve_model(None, current, host)
        options = TaskOptions(host, model, current.dialect, None, max_steps or current.max_steps)
        return TaskSession(
            task,
            options,
            current,
            approver=approver,
            audit_log=audit_log,
            stop=stop,
            sinks=sinks,
            adapt=keep_ours_out,
        )

    executor = ActionExecutor(
        gui=portal_gui(portal) if portal is not None else None,
        shell=ShellRunner(timeout=settings.shell_timeout),
    )
    calls = DesktopCalls(
        DeskParts(
            screen_for=desk.screen_for,
            executor=ExcludingExecutor(executor, windows),
            settler_for=desk.settler_for,
            approver=approver,
            inspector=element_inspector(settings),
            clock=MonotonicClock(),
            should_stop=stop,
            open_task=open_task,
            unlocked=frozenset(settings.unlocked_rules),
            ask_every_action=settings.ask_every_action,
        ),
        audit,
    )
    server = build_server(
        calls,
        seen=lambda name: dialogs.invoker.post(lambda: seen(name)),
        version=package_version(),
    )
    failure: list[BaseException] = []

    def serve() -> None:
        try:
            if args.http:
                port = args.port or DEFAULT_PORT
                anyio.run(partial(server.run_streamable_http_async, host=LOOPBACK, port=port))
            else:
                anyio.run(server.run_stdio_async)
        except BaseException as exc:  # the thread boundary: the main thread reports it
            failure.append(exc)
        finally:
            dialogs.invoker.post(app.quit)

    _quit_on_signals(app)
    thread = threading.Thread(target=serve, name="deskhand-mcp", daemon=True)
    thread.start()
    try:
        app.exec()
    finally:
        stop.request()  # a call still running (HTTP, Ctrl+C) ends before its next input event
        audit.finish()
        executor.close()
        desk.close()
        unshare_portal()
        audit_log.close()
    if failure and not isinstance(failure[0], KeyboardInterrupt | anyio.get_cancelled_exc_class()):
        where = f"HTTP on {LOOPBACK}:{args.port or DEFAULT_PORT}" if args.http else "stdio"
        raise SetupError(
            f"Tried to serve MCP over {where}, but it stopped ({type(failure[0]).__name__}: {failure[0]}). "
            "Check that the port is free (or pick another --port), then start it again."
        ) from failure[0]
    return 0


def _quit_on_signals(app: QApplication) -> None:
    """Ctrl+C and SIGTERM end the Qt loop (Python sees signals only while its code runs)."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: app.quit())
    timer = QTimer(app)
    timer.timeout.connect(lambda: None)
    timer.start(200)
