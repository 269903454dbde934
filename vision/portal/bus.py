"""The D-Bus side of xdg-desktop-portal, through ``jeepney`` (pure Python, already a dependency).

Why one connection per session, kept open: a portal session belongs to the D-Bus connection
that created it and ends when that connection closes -- including when the process dies, so
a crashed Deskhand's remote-desktop session (and any key it held down) ends with it.

Requests follow the portal's pattern: a method returns a Request object path at once and
the answer comes later as that object's ``Response`` signal (after the user's dialog, for
``Start``).  We subscribe to the signal *before* calling, on the path predicted from our
unique name and ``handle_token``, so a fast answer cannot be missed.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any

from jeepney import DBusAddress, MatchRule, MessageType, Properties, message_bus, new_method_call
from jeepney.io.blocking import DBusConnection, open_dbus_connection

from deskhand.core.errors import SetupError

__all__ = ["PORTAL", "PortalBus", "PortalError", "Variant"]

PORTAL = "org.freedesktop.portal.Desktop"
PORTAL_PATH = "/org/freedesktop/portal/desktop"
Variant = tuple[str, Any]  # jeepney's (signature, value)


class PortalError(SetupError):
    """The portal answered with a D-Bus error, or not at all."""


class PortalBus:
    """A session-bus connection that speaks to the portal; safe to share between threads."""

    def __init__(self) -> None:
        try:
            self.conn: DBusConnection = open_dbus_connection(bus="SESSION", enable_fds=True)
        except (OSError, KeyError) as exc:
            raise PortalError(
                f"Tried to reach the desktop's session bus for xdg-desktop-portal, but it failed ({exc}). "
                "Run Deskhand inside your desktop session (DBUS_SESSION_BUS_ADDRESS must be set)."
            ) from exc
        self.sender = (self.conn.unique_name or ":0").lstrip(":").replace(".", "_")
        self._lock = threading.Lock()

    def address(self, interface: str) -> DBusAddress:
        return DBusAddress(PORTAL_PATH, PORTAL, f"org.freedesktop.portal.{interface}")

    def call(self, interface: str, method: str, signature: str = "", body: tuple[Any, ...] = ()) -> Any:
        """A plain method call; returns the reply's body, raises PortalError on an error."""
        msg = new_method_call(self.address(interface), method, signature, body)
        with self._lock:
            reply = self.conn.send_and_get_reply(msg, timeout=10)
        if reply.header.message_type is MessageType.error:
            raise PortalError(f"The desktop portal refused {interface}.{method}: {_error_text(reply)}.")
        return reply.body

    def property(self, interface: str, name: str) -> Any | None:
        """A property of a portal interface, or None when the portal lacks the interface."""
        with self._lock:
            reply = self.conn.send_and_get_reply(Properties(self.address(interface)).get(name), timeout=10)
        if reply.header.message_type is MessageType.error:
            return None
        return reply.body[0][1]

    def has_name(self, name: str) -> bool:
        """Whether ``name`` is owned on the session bus (e.g. mutter's own ScreenCast API)."""
        with self._lock:
            reply = self.conn.send_and_get_reply(message_bus.NameHasOwner(name), timeout=10)
        return reply.header.message_type is not MessageType.error and bool(reply.body[0])

    def request(
        self,
        interface: str,
        method: str,
        signature: str,
        body: tuple[Any, ...],
        options: dict[str, Variant],
        *,
        timeout: float,
    ) -> tuple[int, dict[str, Any]]:
        """Call a method that answers through a Request; returns (response code, results).

        Response codes: 0 granted, 1 the user cancelled, 2 ended otherwise.  ``options``
        goes last in the call (every such portal method takes ``a{sv}`` last).
        """
        token = f"deskhand{uuid.uuid4().hex[:12]}"
        path = f"{PORTAL_PATH}/request/{self.sender}/{token}"
        rule = MatchRule(
            type="signal", interface="org.freedesktop.portal.Request", member="Response", path=path
        )
        msg = new_method_call(
            self.address(interface),
            method,
            signature + "a{sv}",
            (*body, {**options, "handle_token": ("s", token)}),
        )
        with self._lock:
            self.conn.send_and_get_reply(message_bus.AddMatch(rule), timeout=10)
            with self.conn.filter(rule) as queue:
                reply = self.conn.send_and_get_reply(msg, timeout=10)
                if reply.header.message_type is MessageType.error:
                    raise PortalError(
                        f"The desktop portal refused {interface}.{method}: {_error_text(reply)}."
                    )
                try:
                    signal = self.conn.recv_until_filtered(queue, timeout=timeout)
                except TimeoutError as exc:
                    raise PortalError(
                        f"Tried {interface}.{method} through the desktop portal, but it did not answer "
                        f"within {timeout:g} s. Check that xdg-desktop-portal and its backend are running."
                    ) from exc
        code, results = signal.body
        return int(code), {k: v[1] for k, v in results.items()}

    def close(self) -> None:
        """Ends every portal session this connection created (the compositor lets go of input)."""
        with self._lock:
            self.conn.close()


def _error_text(reply: Any) -> str:
    from jeepney import HeaderFields

    name = reply.header.fields.get(HeaderFields.error_name, "an error")
    detail = reply.body[0] if reply.body and isinstance(reply.body[0], str) else ""
    return f"{name}: {detail}" if detail else str(name)
