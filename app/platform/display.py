"""Which display backend a task uses: X11 (mss + XTest) or Wayland (xdg-desktop-portal).

Chosen once at start from the session, as the user's desktop reports it: a Wayland session
(``WAYLAND_DISPLAY`` set, or ``XDG_SESSION_TYPE=wayland``) goes through the portal, because
there X11 grabs see only XWayland windows and XTest reaches nothing else; an X11 session
keeps today's path.  ``DESKHAND_DISPLAY=x11|wayland`` overrides the guess (an X11 app under
XWayland needs nothing special: the portal's frames and input cover it too).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from deskhand.app.store.config import config_path
from deskhand.core.errors import UsageError
from deskhand.core.geometry import Rect

if TYPE_CHECKING:
    from deskhand.vision.portal.desktop import PortalDesktop

__all__ = [
    "DisplayChoice",
    "SharedPortal",
    "choose_display",
    "open_portal_desktop",
    "portal_monitor",
    "screen_token_path",
    "share_portal",
    "task_desktop",
    "token_path",
    "unshare_portal",
]

log = logging.getLogger(__name__)

TOKEN_FILE = "portal-restore-token"  # noqa: S105 (a file name, not a secret)
SCREEN_TOKEN_FILE = "portal-screen-token"  # noqa: S105


@dataclass(frozen=True, slots=True)
class DisplayChoice:
    wayland: bool
    reason: str

    @property
    def name(self) -> str:
        if self.wayland:
            return "wayland (xdg-desktop-portal)"
        return "x11 (mss + XTest)" if sys.platform.startswith("linux") else "native (mss + pyautogui)"


def choose_display(environ: dict[str, str] | None = None) -> DisplayChoice:
    env = os.environ if environ is None else environ
    forced = env.get("DESKHAND_DISPLAY", "").strip().lower()
    if forced in ("x11", "wayland"):
        return DisplayChoice(forced == "wayland", f"DESKHAND_DISPLAY={forced}")
    if forced:
        raise UsageError(f"DESKHAND_DISPLAY={forced!r} is not a display backend; use x11 or wayland.")
    if not sys.platform.startswith("linux"):
        return DisplayChoice(False, f"{sys.platform} has no Wayland")
    if env.get("WAYLAND_DISPLAY"):
        return DisplayChoice(True, f"WAYLAND_DISPLAY={env['WAYLAND_DISPLAY']}")
    if env.get("XDG_SESSION_TYPE", "").lower() == "wayland":
        return DisplayChoice(True, "XDG_SESSION_TYPE=wayland")
    return DisplayChoice(
        False, f"DISPLAY={env.get('DISPLAY', '')}" if env.get("DISPLAY") else "no Wayland session"
    )


def token_path() -> Path:
    """Where the portal's restore token is kept: next to config.toml, 0600."""
    return config_path().parent / TOKEN_FILE


def screen_token_path() -> Path:
    """The screen-only session's token (``deskhand doctor``), kept apart from the task's."""
    return config_path().parent / SCREEN_TOKEN_FILE


def explain_on_stderr(text: str) -> None:
    """Consent notes go to the terminal's stderr, before the desktop's own dialog."""
    sys.stderr.write(f"deskhand: {text}\n")
    sys.stderr.flush()


def open_portal_desktop(explain: Callable[[str], None] = explain_on_stderr) -> PortalDesktop:
    """Start a portal session (asking the user if needed); imported lazily: jeepney, gst."""
    from deskhand.vision.portal.desktop import PortalDesktop
    from deskhand.vision.portal.tokens import TokenStore

    return PortalDesktop.open(TokenStore(token_path()), explain=explain)


class SharedPortal:
    """One portal session kept for a long-running process's lifetime (the tray app,
    ``deskhand mcp``), handed to every task and action.

    Why: xdg-desktop-portal before 1.17 (RemoteDesktop version 1, Debian 12's 1.16) cannot
    keep the input permission, so a session per task would ask the person before every
    task; one session asks once per run.  It is opened on first use (the dialog appears
    when the person first starts something, after ``explain`` told them why), and opened
    again only if the desktop ended it (stopped from its sharing indicator).
    """

    def __init__(
        self,
        explain: Callable[[str], None],
        opener: Callable[[Callable[[str], None]], PortalDesktop] | None = None,
    ) -> None:
        self.explain = explain
        self._open = opener or open_portal_desktop
        self._desktop: PortalDesktop | None = None
        self._lock = threading.Lock()  # two first users must not open two sessions

    def desktop(self) -> PortalDesktop:
        with self._lock:
            if self._desktop is not None and self._desktop.ended:
                log.info("the desktop ended the kept portal session; opening a new one")
                self._desktop.close()
                self._desktop = None
            if self._desktop is None:
                self._desktop = self._open(self.explain)
            return self._desktop

    # -- RemoteInput (deskhand.actions._portal): an executor built before the session opens

    def move_to(self, x: float, y: float) -> None:
        self.desktop().move_to(x, y)

    def button(self, code: int, pressed: bool) -> None:
        self.desktop().button(code, pressed)

    def axis(self, vertical: bool, steps: int) -> None:
        self.desktop().axis(vertical, steps)

    def keysym(self, keysym: int, pressed: bool) -> None:
        self.desktop().keysym(keysym, pressed)

    def close(self) -> None:
        with self._lock:
            desktop, self._desktop = self._desktop, None
        if desktop is not None:
            desktop.close()


_shared: SharedPortal | None = None


def share_portal(explain: Callable[[str], None]) -> SharedPortal | None:
    """Keep one portal session for this process (on Wayland; None on X11): every later
    ``task_desktop`` gets it.  ``deskhand do`` does not call this: a session per run."""
    global _shared  # one session per process is the point
    try:
        if not choose_display().wayland:
            return None
    except UsageError:  # a bad DESKHAND_DISPLAY: each task's set-up says so
        return None
    if _shared is None:
        _shared = SharedPortal(explain)
    return _shared


def unshare_portal() -> None:
    """End the kept session (the process quits); tasks after this open their own."""
    global _shared
    shared, _shared = _shared, None
    if shared is not None:
        shared.close()


def task_desktop() -> tuple[PortalDesktop, bool] | None:
    """The portal desktop a task or action uses, and whether it owns it (closes it when
    done): the process's kept session if there is one, else a new one; None on X11.
    The one place that decides between mss/XTest and the portal."""
    if not choose_display().wayland:
        return None
    if _shared is not None:
        return _shared.desktop(), False
    return open_portal_desktop(), True


def portal_monitor(desktop: PortalDesktop, number: int | None) -> Rect:
    """``--monitor N`` among the screens the user shared (1-based; 0 = all, one stream only)."""
    monitors = desktop.monitors
    if number in (None, 0) and len(monitors) == 1:
        return monitors[0]
    if number is None:
        return monitors[0]
    if number == 0:
        raise UsageError(
            "--monitor 0 (all monitors together) is not available on Wayland; pick one with --monitor N."
        )
    if not 1 <= number <= len(monitors):
        raise UsageError(
            f"--monitor {number} does not exist; the desktop shared {len(monitors)} screen(s) with Deskhand."
        )
    return monitors[number - 1]
