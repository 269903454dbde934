"""One RemoteDesktop portal session with a ScreenCast stream on it: the screen and the input.

Why RemoteDesktop *with* ScreenCast rather than two sessions: absolute pointer motion is
addressed to a stream of the same session (``NotifyPointerMotionAbsolute(stream, x, y)`` in
the stream's own coordinates), so the frames the model sees and the points we click are
one coordinate space by construction.

Consent: ``Start`` is where the desktop shows its dialog.  We ask for ``persist_mode`` 2
("until revoked") and keep the restore token the portal returns (``TokenStore``); the next
session passes it and the dialog is skipped.  xdg-desktop-portal before 1.17
(RemoteDesktop version 1) cannot persist a remote-desktop session: it refuses the option,
so we ask again without it and the dialog appears on every start (``persists`` says which).
"""

from __future__ import annotations

import logging
import os
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from deskhand.core.errors import SetupError
from deskhand.core.geometry import Rect
from deskhand.vision.portal.bus import PortalBus, PortalError, Variant
from deskhand.vision.portal.tokens import TokenStore

__all__ = [
    "PortalDenied",
    "PortalSession",
    "Stream",
    "can_keep_permission",
    "describe_portal",
    "missing_portal_hint",
]

log = logging.getLogger(__name__)

KEYBOARD, POINTER = 1, 2
MONITOR = 1
CURSOR_HIDDEN = 1
PERSIST_UNTIL_REVOKED = 2
START_TIMEOUT = 300.0  # the user reads the dialog
REASK_AFTER = 1.0


class PortalDenied(SetupError):
    """The user (or the desktop) refused screen and input access."""


@dataclass(frozen=True, slots=True)
class Stream:
    """A PipeWire stream of one monitor: its node and where it sits on the desktop, in the
    compositor's logical coordinates (the space pointer positions are given in)."""

    node: int
    rect: Rect


class PortalSession:
    """Create, consent, start; then send input.  ``close`` (or the process ending) ends it."""

    def __init__(
        self, bus: PortalBus, tokens: TokenStore, *, explain: Callable[[str], None], remote: bool = True
    ) -> None:
        self.bus = bus
        self.remote = remote  # False: the screen only (a ScreenCast session), e.g. for doctor
        self.tokens = tokens
        self.explain = explain
        self.handle = ""
        self.streams: tuple[Stream, ...] = ()
        self.persists = False

    # -- set-up --------------------------------------------------------------------------

    def start(self) -> None:
        token = self.tokens.load()
        rd_version = self.bus.property("RemoteDesktop", "version")
        sc_version = self.bus.property("ScreenCast", "version")
        if (self.remote and rd_version is None) or sc_version is None:
            raise SetupError(missing_portal_hint(rd_version is None))
        can_persist = can_keep_permission(self.remote, rd_version, sc_version)
        if not can_persist and self.remote:
            self.explain(NO_PERSIST_TEXT)
        for persist in (True, False) if can_persist else (False,):
            try:
                self._start(token if persist else None, persist)
                break
            except PortalError as exc:
                if not persist:
                    raise
                log.info("the portal would not persist this session (%s); asking without", exc)

    def _start(self, token: str | None, persist: bool) -> None:
        interface = "RemoteDesktop" if self.remote else "ScreenCast"
        self.handle = self._create(interface)
        devices: dict[str, Variant] = {"types": ("u", KEYBOARD | POINTER)}
        sources: dict[str, Variant] = {
            "types": ("u", MONITOR),
            "multiple": ("b", False),
            "cursor_mode": ("u", CURSOR_HIDDEN),
        }
        persisted = devices if self.remote else sources  # where the portal takes persist_mode
        if persist:
            persisted["persist_mode"] = ("u", PERSIST_UNTIL_REVOKED)
            if token:
                persisted["restore_token"] = ("s", token)
        if self.remote:
            self._request("RemoteDesktop", "SelectDevices", devices)
        self._request("ScreenCast", "SelectSources", sources)
        reasked = None
        if not token or not persist:
            self.explain(CONSENT_TEXT if self.remote else SCREEN_CONSENT_TEXT)
        else:
            # A restored session starts in well under a second; one still waiting after
            # REASK_AFTER is showing the dialog: the saved permission is no longer valid.
            reasked = threading.Timer(REASK_AFTER, self.explain, (REASKED_TEXT,))
            reasked.daemon = True
            reasked.start()
        try:
            code, results = self.bus.request(
                interface, "Start", "os", (self.handle, ""), {}, timeout=START_TIMEOUT
            )
        finally:
            if reasked is not None:
                reasked.cancel()
        if code != 0:
            raise PortalDenied(
                "Tried to get screen and input access through the desktop portal, but it was "
                f"{'cancelled' if code == 1 else 'refused'}. Run again and choose Share/Allow "
                "(with remote interaction switched on)."
            )
        self.streams = tuple(_stream(node, props) for node, props in results.get("streams", []))
        if not self.streams:
            raise PortalDenied("The desktop portal started a session without any screen to watch.")
        new_token = results.get("restore_token")
        self.persists = bool(new_token)
        if new_token:
            self.tokens.save(str(new_token))

    def _create(self, interface: str) -> str:
        token = f"deskhand{uuid.uuid4().hex[:12]}"
        code, results = self.bus.request(
            interface, "CreateSession", "", (), {"session_handle_token": ("s", token)}, timeout=30
        )
        if code != 0:
            raise PortalError(f"The desktop portal would not create a {interface} session.")
        return str(results["session_handle"])

    def _request(self, interface: str, method: str, options: dict[str, Variant]) -> None:
        code, _ = self.bus.request(interface, method, "o", (self.handle,), options, timeout=30)
        if code != 0:
            raise PortalError(f"The desktop portal refused {method} (response {code}).")

    def pipewire_fd(self) -> int:
        """A file descriptor of a PipeWire connection that may read this session's streams."""
        (fd,) = self.bus.call("ScreenCast", "OpenPipeWireRemote", "oa{sv}", (self.handle, {}))
        return int(fd.to_raw_fd()) if hasattr(fd, "to_raw_fd") else int(fd)

    # -- input ---------------------------------------------------------------------------

    def motion(self, stream: Stream, x: float, y: float) -> None:
        """Move the pointer to (x, y) in ``stream``'s coordinates (0..width, 0..height)."""
        self._notify("NotifyPointerMotionAbsolute", "udd", (stream.node, float(x), float(y)))

    def button(self, code: int, pressed: bool) -> None:
        """A Linux evdev button code (BTN_LEFT 0x110, BTN_RIGHT 0x111, BTN_MIDDLE 0x112)."""
        self._notify("NotifyPointerButton", "iu", (code, int(pressed)))

    def axis(self, vertical: bool, steps: int) -> None:
        """Wheel notches; positive is down / right, as the portal counts them."""
        self._notify("NotifyPointerAxisDiscrete", "ui", (0 if vertical else 1, steps))

    def keysym(self, keysym: int, pressed: bool) -> None:
        self._notify("NotifyKeyboardKeysym", "iu", (keysym, int(pressed)))

    def _notify(self, method: str, signature: str, args: tuple[Any, ...]) -> None:
        self.bus.call("RemoteDesktop", method, "oa{sv}" + signature, (self.handle, {}, *args))

    def close(self) -> None:
        self.bus.close()


CONSENT_TEXT = (
    "Deskhand needs to see the screen and use the keyboard and mouse. Your desktop will now "
    "ask you once: choose the screen to share, switch on remote interaction, and allow it."
)


NO_PERSIST_TEXT = (
    "This desktop's portal (RemoteDesktop version 1, xdg-desktop-portal before 1.17) cannot keep "
    "the permission, so it asks each time Deskhand starts (the tray app asks once per run)."
)
REASKED_TEXT = (
    "Your desktop is asking again: the permission Deskhand saved was revoked or has expired. "
    "Allow it once more and it is kept again."
)
SCREEN_CONSENT_TEXT = (
    "Deskhand needs to see the screen. Your desktop will now ask you once which screen to share; "
    "the permission is kept until you revoke it."
)


def can_keep_permission(remote: bool, rd_version: object, sc_version: object) -> bool:
    """Whether to ask for ``persist_mode`` 2 and a restore token: a RemoteDesktop session
    from interface version 2 on (xdg-desktop-portal 1.17+; Debian 12's 1.16 is version 1),
    a screen-only ScreenCast session from version 4 on."""
    version = rd_version if remote else sc_version
    try:
        return int(str(version)) >= (2 if remote else 4)
    except ValueError:
        return False


def describe_portal(bus: PortalBus) -> str:
    """The portal's versions and what they allow, for ``deskhand doctor`` (no dialog)."""
    rd = bus.property("RemoteDesktop", "version")
    sc = bus.property("ScreenCast", "version")
    if rd is None or sc is None:
        raise SetupError(missing_portal_hint(rd is None))
    keeps = (
        "keeps the permission (restore token)"
        if int(rd) >= 2
        else "cannot keep the input permission: asks once per run (needs xdg-desktop-portal 1.17+ to keep it)"
    )
    return f"ScreenCast v{sc}, RemoteDesktop v{rd}: {keeps}"


def missing_portal_hint(no_remote_desktop: bool) -> str:
    """The one line a desktop without the needed portal gets (what to install, or why not)."""
    desktop = os.environ.get("XDG_CURRENT_DESKTOP", "").lower()
    what = "RemoteDesktop (input)" if no_remote_desktop else "ScreenCast (screen)"
    if "gnome" in desktop:
        fix = "Install xdg-desktop-portal-gnome."
    elif "kde" in desktop:
        fix = "Install xdg-desktop-portal-kde."
    elif any(name in desktop for name in ("sway", "wlroots", "hyprland", "river", "wayfire")):
        fix = (
            "Install xdg-desktop-portal-wlr for the screen; input is unsupported there"
            " (xdg-desktop-portal-wlr has no RemoteDesktop), so run Deskhand in an X11 session."
            if no_remote_desktop
            else "Install xdg-desktop-portal-wlr."
        )
    else:
        fix = "Install xdg-desktop-portal and your desktop's backend (-gnome, -kde or -wlr)."
    return f"Tried to use the desktop portal's {what} on Wayland, but this desktop does not offer it. {fix}"


def _stream(node: int, props: dict[str, Variant]) -> Stream:
    x, y = props.get("position", ("(ii)", (0, 0)))[1]
    width, height = props.get("size", ("(ii)", (0, 0)))[1]
    return Stream(int(node), Rect(int(x), int(y), int(width), int(height)))
