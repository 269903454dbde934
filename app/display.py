"""Which display backend a task uses: X11 (mss + XTest) or Wayland (xdg-desktop-portal).

Chosen once at start from the session, as the user's desktop reports it: a Wayland session
(``WAYLAND_DISPLAY`` set, or ``XDG_SESSION_TYPE=wayland``) goes through the portal, because
there X11 grabs see only XWayland windows and XTest reaches nothing else; an X11 session
keeps today's path.  ``DESKHAND_DISPLAY=x11|wayland`` overrides the guess (an X11 app under
XWayland needs nothing special: the portal's frames and input cover it too).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from deskhand.app.config import config_path
from deskhand.core.errors import UsageError
from deskhand.core.geometry import Rect

if TYPE_CHECKING:
    from deskhand.vision.portal.desktop import PortalDesktop

__all__ = [
    "DisplayChoice",
    "choose_display",
    "open_portal_desktop",
    "portal_monitor",
    "screen_token_path",
    "token_path",
]

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
