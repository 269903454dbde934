"""A test-only xdg-desktop-portal backend: ScreenCast and RemoteDesktop, forwarded to mutter.

Run as ``python -m tests.wayland.portal_backend`` inside the headless session
(``tests.wayland.session``).  The real ``/usr/libexec/xdg-desktop-portal`` talks to it as it
would to xdg-desktop-portal-gnome; it does what -gnome does under a full GNOME session
(mutter's org.gnome.Mutter.RemoteDesktop / .ScreenCast D-Bus API), minus the GTK dialog:

* The consent dialog is a line in ``$DESKHAND_TEST_PORTAL_DIR/dialogs.log``; the backend
  then waits for the test to write ``answer`` (allow / deny) -- see the session module.
* Restore data: a Start that persisted returns ``("deskhandtest", 1, <grant time>)``; a later
  SelectSources carrying it skips the dialog unless the test ``revoke``d after that time.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from jeepney import (
    DBusAddress,
    HeaderFields,
    MatchRule,
    MessageType,
    Properties,
    message_bus,
    new_error,
    new_method_call,
    new_method_return,
)
from jeepney.io.blocking import DBusConnection, open_dbus_connection

NAME = "org.freedesktop.impl.portal.desktop.deskhandtest"
IMPL = "org.freedesktop.impl.portal."
RD = DBusAddress("/org/gnome/Mutter/RemoteDesktop", "org.gnome.Mutter.RemoteDesktop",
                 "org.gnome.Mutter.RemoteDesktop")  # fmt: skip
SC = DBusAddress("/org/gnome/Mutter/ScreenCast", "org.gnome.Mutter.ScreenCast", "org.gnome.Mutter.ScreenCast")
DIR = Path(os.environ.get("DESKHAND_TEST_PORTAL_DIR", "/tmp"))


def _call(
    conn: DBusConnection, addr: DBusAddress, method: str, sig: str = "", body: tuple[Any, ...] = ()
) -> Any:
    reply = conn.send_and_get_reply(new_method_call(addr, method, sig, body), timeout=10)
    if reply.header.message_type is MessageType.error:
        raise RuntimeError(f"{method}: {reply.body}")
    return reply.body


class Session:
    def __init__(self, handle: str, remote: bool) -> None:
        self.handle, self.remote = handle, remote
        self.options: dict[str, Any] = {}
        self.rd_path = self.sc_path = ""
        self.streams: dict[int, str] = {}  # PipeWire node id -> mutter stream path


class Backend:
    def __init__(self) -> None:
        self.bus = open_dbus_connection(bus="SESSION")
        self.mutter = open_dbus_connection(bus="SESSION")  # mutter's sessions live as long as this
        self.sessions: dict[str, Session] = {}

    def run(self) -> None:
        reply = self.bus.send_and_get_reply(message_bus.RequestName(NAME, 4))
        assert reply.body[0] == 1, reply.body
        while True:
            msg = self.bus.receive()
            if msg.header.message_type is not MessageType.method_call:
                continue
            iface = msg.header.fields.get(HeaderFields.interface, "")
            member = msg.header.fields[HeaderFields.member]
            try:
                sig, body = self.dispatch(iface, member, msg)
                self.bus.send(new_method_return(msg, sig, body))
            except Exception as exc:  # a test backend: tell the portal, keep serving
                self.bus.send(new_error(msg, "org.freedesktop.DBus.Error.Failed", "s", (repr(exc),)))

    def dispatch(self, iface: str, member: str, msg: Any) -> tuple[str, tuple[Any, ...]]:
        b = msg.body
        if iface == "org.freedesktop.DBus.Properties" and member == "Get":
            return "v", (self.prop(b[0], b[1]),)
        if iface == "org.freedesktop.DBus.Properties" and member == "GetAll":
            props = ("version", "AvailableSourceTypes", "AvailableCursorModes", "AvailableDeviceTypes")
            return "a{sv}", ({p: self.prop(b[0], p) for p in props},)
        if iface == IMPL + "Session" and member == "Close":
            self.close(msg.header.fields[HeaderFields.path])
            return "", ()
        if iface == IMPL + "Request":
            return "", ()
        if member == "CreateSession":
            self.sessions[b[1]] = Session(b[1], remote=iface.endswith("RemoteDesktop"))
            return "ua{sv}", (0, {"session_id": ("s", b[1])})
        session = self.sessions[b[0] if member.startswith("Notify") else b[1]]
        if member in ("SelectSources", "SelectDevices"):
            session.options.update(b[3])
            return "ua{sv}", (0, {})
        if member == "Start":
            return "ua{sv}", self.start(session, b[4])
        if member.startswith("Notify"):
            self.notify(session, member, b[2:])
            return "", ()
        raise NotImplementedError(f"{iface}.{member}")

    def prop(self, iface: str, name: str) -> tuple[str, Any]:
        values = {"version": 4 if iface.endswith("ScreenCast") else 1, "AvailableSourceTypes": 1,
                  "AvailableCursorModes": 3, "AvailableDeviceTypes": 3}  # fmt: skip
        return ("u", values.get(name, 0))

    # -- consent -------------------------------------------------------------------------

    def consented(self, session: Session) -> bool:
        restore = session.options.get("restore_data")
        revoked = DIR / "revoked"
        if restore is not None:
            granted = float(restore[1][2][1])
            if not revoked.exists() or float(revoked.read_text()) < granted:
                self.log({"dialog": False, "restored": True})
                return True
        self.log({"dialog": True, "remote": session.remote, "persist": self.persist_mode(session)})
        (DIR / "pending").write_text("")
        answer = DIR / "answer"
        deadline = time.monotonic() + 20
        while not answer.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        if not answer.exists():
            return False
        allowed = answer.read_text() == "allow"
        answer.unlink()
        return allowed

    @staticmethod
    def persist_mode(session: Session) -> int:
        return int(session.options.get("persist_mode", ("u", 0))[1])

    @staticmethod
    def log(entry: dict[str, Any]) -> None:
        with (DIR / "dialogs.log").open("a") as f:
            f.write(json.dumps(entry) + "\n")

    # -- mutter --------------------------------------------------------------------------

    def start(self, session: Session, options: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if not self.consented(session):
            return 1, {}
        conn = self.mutter
        props: dict[str, Any] = {}
        if session.remote:
            (session.rd_path,) = _call(conn, RD, "CreateSession")
            rd = DBusAddress(
                session.rd_path, "org.gnome.Mutter.RemoteDesktop", "org.gnome.Mutter.RemoteDesktop.Session"
            )
            reply = conn.send_and_get_reply(Properties(rd).get("SessionId"))
            props["remote-desktop-session-id"] = ("s", reply.body[0][1])
        (session.sc_path,) = _call(conn, SC, "CreateSession", "a{sv}", (props,))
        sc = DBusAddress(
            session.sc_path, "org.gnome.Mutter.ScreenCast", "org.gnome.Mutter.ScreenCast.Session"
        )
        cursor = int(session.options.get("cursor_mode", ("u", 1))[1])
        mutter_cursor = {1: 0, 2: 1, 4: 2}.get(cursor, 0)
        (stream_path,) = _call(
            conn, sc, "RecordMonitor", "sa{sv}", ("", {"cursor-mode": ("u", mutter_cursor)})
        )
        rule = MatchRule(type="signal", interface="org.gnome.Mutter.ScreenCast.Stream",
                         member="PipeWireStreamAdded", path=stream_path)  # fmt: skip
        conn.send_and_get_reply(message_bus.AddMatch(rule))
        with conn.filter(rule) as queue:
            if session.remote:
                rd = DBusAddress(session.rd_path, "org.gnome.Mutter.RemoteDesktop",
                                 "org.gnome.Mutter.RemoteDesktop.Session")  # fmt: skip
                _call(conn, rd, "Start")
            else:
                _call(conn, sc, "Start")
            node = int(conn.recv_until_filtered(queue, timeout=10).body[0])
        session.streams[node] = stream_path
        stream = DBusAddress(stream_path, "org.gnome.Mutter.ScreenCast", "org.gnome.Mutter.ScreenCast.Stream")
        params = conn.send_and_get_reply(Properties(stream).get("Parameters")).body[0][1]
        info = {"source_type": ("u", 1), **{k: v for k, v in params.items() if k in ("position", "size")}}
        results: dict[str, Any] = {"streams": ("a(ua{sv})", [(node, info)])}
        if session.remote:
            results["devices"] = ("u", 3)
        persist = self.persist_mode(session)
        if persist:
            results["persist_mode"] = ("u", persist)
            results["restore_data"] = ("(suv)", ("deskhandtest", 1, ("s", repr(time.time()))))
        return 0, results

    def notify(self, session: Session, member: str, args: tuple[Any, ...]) -> None:
        rd = DBusAddress(
            session.rd_path, "org.gnome.Mutter.RemoteDesktop", "org.gnome.Mutter.RemoteDesktop.Session"
        )
        conn = self.mutter
        if member == "NotifyPointerMotionAbsolute":
            stream, x, y = args
            _call(conn, rd, member, "sdd", (session.streams[stream], x, y))
        elif member == "NotifyPointerButton":
            _call(conn, rd, member, "ib", (args[0], bool(args[1])))
        elif member == "NotifyKeyboardKeysym" or member == "NotifyKeyboardKeycode":
            _call(conn, rd, member, "ub", (args[0], bool(args[1])))
        elif member == "NotifyPointerAxisDiscrete":
            _call(conn, rd, member, "ui", (args[0], args[1]))
        elif member == "NotifyPointerMotion":
            _call(conn, rd, "NotifyPointerMotionRelative", "dd", (args[0], args[1]))
        else:
            raise NotImplementedError(member)

    def close(self, handle: str) -> None:
        session = self.sessions.pop(handle, None)
        if session is None:
            return
        if session.rd_path:
            rd = DBusAddress(
                session.rd_path, "org.gnome.Mutter.RemoteDesktop", "org.gnome.Mutter.RemoteDesktop.Session"
            )
            _call(self.mutter, rd, "Stop")
        elif session.sc_path:
            sc = DBusAddress(
                session.sc_path, "org.gnome.Mutter.ScreenCast", "org.gnome.Mutter.ScreenCast.Session"
            )
            _call(self.mutter, sc, "Stop")


if __name__ == "__main__":
    Backend().run()
