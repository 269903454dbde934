"""The accessibility tree (AT-SPI over D-Bus): the exact label and role under a point.

Why D-Bus directly (pure-Python ``jeepney``) rather than ``pyatspi``/PyGObject: those
need the distribution's ``gi`` bindings, which a virtualenv cannot import, or a C build
with GObject headers.  AT-SPI is a documented D-Bus protocol; the few calls needed here
are: the registry's applications, each window's extents and states, and
``Component.GetAccessibleAtPoint`` down to the deepest element, then its name and role.

Toolkits only publish their tree when accessibility is on (``org.a11y.Status.IsEnabled``,
what a screen reader sets); ``enable_accessibility()`` sets it.  Applications started
before that may need a restart to appear.

Only the active window is asked: elsewhere a window that publishes no tree may be on top,
and the tree would name what is hidden under it (``None`` then, so OCR reads the pixels).
Each answer is cached per observation and point, and the walk stops after ``budget``
seconds (default 150 ms).  An application the registry still lists after it closed is
skipped (``_app_windows``, shared with the skills' lookup and the element list).
Anything else unexpected -- no bus, no registry, a timeout -- gives ``None`` so the
caller falls back to OCR.  On Windows and
macOS there is no AT-SPI: ``None`` always.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from dataclasses import replace
from typing import Any

from deskhand.core.element_info import FOCUS_UNKNOWN_ROLE, ElementInfo
from deskhand.core.errors import DeskhandError
from deskhand.core.geometry import Rect, ScreenPoint
from deskhand.core.observation import Observation

__all__ = ["AtspiInspector", "enable_accessibility"]

log = logging.getLogger(__name__)

_REGISTRY = "org.a11y.atspi.Registry"
_ROOT = "/org/a11y/atspi/accessible/root"
_NULL = "/org/a11y/atspi/null"
_ACCESSIBLE = "org.a11y.atspi.Accessible"
_COMPONENT = "org.a11y.atspi.Component"
_SCREEN = 0  # ATSPI_COORD_TYPE_SCREEN
_ROLE_PASSWORD_TEXT = 40  # Qt names it "text" in GetRoleName, but GetRole says 40
_STATE_ACTIVE, _STATE_FOCUSED, _STATE_SHOWING = 1, 12, 25
_MAX_DEPTH = 40
_RETRY_AFTER = 30.0

Node = tuple[str, str]  # (bus name, object path)


def enable_accessibility(session_bus: str = "SESSION") -> bool:
    """Ask toolkits to publish their accessibility trees (as a screen reader does).

    Returns whether the flag is now on.  Sets ``org.a11y.Status.IsEnabled`` on the session
    bus; Qt and GTK applications started afterwards (and most running ones) register.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        from jeepney import DBusAddress, Properties
        from jeepney.io.blocking import open_dbus_connection

        with open_dbus_connection(bus=session_bus) as conn:
            status = Properties(
                DBusAddress("/org/a11y/bus", bus_name="org.a11y.Bus", interface="org.a11y.Status")
            )
            conn.send_and_get_reply(status.set("IsEnabled", "b", True), timeout=2)
            reply = conn.send_and_get_reply(status.get("IsEnabled"), timeout=2)
            return bool(reply.body[0][1])
    except Exception as exc:  # no session bus, no at-spi, no jeepney: accessibility stays off
        log.info("could not switch accessibility on: %s", exc)
        return False


class AtspiInspector:
    """Finds the deepest accessible element at a screen point."""

    def __init__(
        self, *, budget: float = 0.15, focus_budget: float = 1.0, bus_address: str | None = None
    ) -> None:
        self.budget = budget
        self.focus_budget = focus_budget
        self.bus_address = bus_address
        self._conn: Any = None
        self._retry_at = 0.0  # after a failed connection, wait before trying again
        self._cache: dict[tuple[str, int, int], ElementInfo | None] = {}
        self._cache_id = ""

    # ------------------------------------------------------------------ public

    def prepare(self, observation: Observation) -> None:
        """Nothing to do ahead: the tree answers in tens of milliseconds."""

    def inspect(self, point: ScreenPoint, observation: Observation) -> ElementInfo | None:
        key = (observation.id, point.x, point.y)
        if observation.id != self._cache_id:
            self._cache, self._cache_id = {}, observation.id
        if key not in self._cache:
            self._cache[key] = self._guarded(lambda deadline: self._at(point, deadline))
        return self._cache[key]

    def focused(self, observation: Observation) -> ElementInfo | None:
        """What has the keyboard focus in the active window.

        Typing is judged by it (a password field asks first), so this walk gets a longer
        budget than a point lookup, and running out of it is said (``FOCUS_UNKNOWN_ROLE``)
        rather than read as "no tree here": nothing else can tell a password field."""
        return self._guarded(self._focused, budget=self.focus_budget, out_of_time=_FOCUS_UNKNOWN)

    def applications(self) -> int | None:
        """How many applications publish a tree now; ``None`` if the bus is out of reach."""
        count: list[int] = []

        def walk(deadline: float) -> None:
            count.append(len(self._children((_REGISTRY, _ROOT), deadline)))

        self._guarded(walk)
        return count[0] if count else None

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    # ------------------------------------------------------------------ the walk

    def _guarded(
        self, find: Any, *, budget: float | None = None, out_of_time: ElementInfo | None = None
    ) -> ElementInfo | None:
        if not sys.platform.startswith("linux") or time.monotonic() < self._retry_at:
            return None
        if self._conn is None:
            try:
                self._conn = self._connect()
            except Exception as exc:  # no session bus, no at-spi, no jeepney
                log.info("no accessibility bus: %s", exc)
                self._retry_at = time.monotonic() + _RETRY_AFTER
                return None
        allowed = self.budget if budget is None else budget
        try:
            result: ElementInfo | None = find(time.monotonic() + allowed)
            return result
        except _OutOfTime:
            log.info("the accessibility tree did not answer within %.0f ms", allowed * 1000)
            return out_of_time
        except Exception as exc:  # D-Bus errors, dead applications, a missing bus: fall back to OCR
            log.info("accessibility lookup failed: %s", exc)
            self.close()
            return None

    def _connect(self) -> Any:
        from jeepney import DBusAddress, new_method_call
        from jeepney.io.blocking import open_dbus_connection

        address = self.bus_address or os.environ.get("AT_SPI_BUS_ADDRESS")
        if not address:
            with open_dbus_connection(bus="SESSION") as session:
                call = new_method_call(
                    DBusAddress("/org/a11y/bus", bus_name="org.a11y.Bus", interface="org.a11y.Bus"),
                    "GetAddress",
                )
                address = session.send_and_get_reply(call, timeout=1).body[0]
        return open_dbus_connection(bus=address)

    def _call(self, node: Node, interface: str, method: str, deadline: float, sig: str | None = None,
              body: tuple[Any, ...] = ()) -> Any:  # fmt: skip
        from jeepney import DBusAddress, DBusErrorResponse, new_method_call

        left = deadline - time.monotonic()
        if left <= 0:
            raise _OutOfTime()
        msg = new_method_call(DBusAddress(node[1], bus_name=node[0], interface=interface), method, sig, body)
        reply = self._conn.send_and_get_reply(msg, timeout=left)
        if reply.header.message_type.name == "error":
            raise DBusErrorResponse(reply)
        return reply.body

    def _prop(self, node: Node, name: str, deadline: float) -> Any:
        body = self._call(node, "org.freedesktop.DBus.Properties", "Get", deadline, "ss", (_ACCESSIBLE, name))
        return body[0][1]

    def _children(self, node: Node, deadline: float) -> list[Node]:
        return [(str(c[0]), str(c[1])) for c in self._call(node, _ACCESSIBLE, "GetChildren", deadline)[0]]

    def _extents(self, node: Node, deadline: float) -> Rect:
        x, y, w, h = self._call(node, _COMPONENT, "GetExtents", deadline, "u", (_SCREEN,))[0]
        return Rect(x, y, w, h)

    def _states(self, node: Node, deadline: float) -> set[int]:
        words = self._call(node, _ACCESSIBLE, "GetState", deadline)[0]
        return {n * 32 + bit for n, word in enumerate(words) for bit in range(32) if word >> bit & 1}

    def _app_windows(self, deadline: float) -> list[tuple[Node, Node]]:
        """Every live application's top-level windows, each with its application.

        The registry may still list an application that has closed (it drops it only once
        it notices the name gone from the bus); asking that application for its windows
        fails.  It is skipped -- its windows are gone too -- rather than the whole lookup
        giving up, which would leave a live window unnamed and the policy reading pixels.
        """
        found: list[tuple[Node, Node]] = []
        for app in self._children((_REGISTRY, _ROOT), deadline):
            try:
                windows = self._children(app, deadline)
            except _OutOfTime:
                raise
            except Exception as exc:  # a dead application
                log.debug("skipping an application that has gone: %s", exc)
                continue
            found += [(app, window) for window in windows]
        return found

    def _windows(self, deadline: float) -> list[Node]:
        """Every live application's top-level windows (see ``_app_windows``)."""
        return [window for _, window in self._app_windows(deadline)]

    def _at(self, point: ScreenPoint, deadline: float) -> ElementInfo | None:
        hits: list[tuple[bool, Node]] = []
        for window in self._windows(deadline):
            try:
                if not self._extents(window, deadline).contains(point.x, point.y):
                    continue
                states = self._states(window, deadline)
            except _OutOfTime:
                raise
            except Exception as exc:  # a window that vanished meanwhile
                log.debug("skipping a window: %s", exc)
                continue
            if _STATE_SHOWING in states:
                hits.append((_STATE_ACTIVE in states, window))
        active = [node for is_active, node in hits if is_active]
        if len(active) != 1:
            # Not in the active window: a window without accessibility (a terminal, a game)
            # may be on top of this one, and only the pixels tell.  Let OCR read them.
            return None
        window = active[0]
        node = self._deepest(window, point, deadline)
        return self._describe(node, deadline)

    def _deepest(self, node: Node, point: ScreenPoint, deadline: float) -> Node:
        for _ in range(_MAX_DEPTH):
            try:
                found = self._call(
                    node, _COMPONENT, "GetAccessibleAtPoint", deadline, "iiu", (point.x, point.y, _SCREEN)
                )
                hit: Node | None = (str(found[0][0]), str(found[0][1]))
            except _OutOfTime:
                raise
            except Exception:
                hit = self._child_containing(node, point, deadline)
            if hit is None or hit[1] == _NULL or hit == node:
                return node
            node = (hit[0], hit[1])
        return node

    def _child_containing(self, node: Node, point: ScreenPoint, deadline: float) -> Node | None:
        for child in reversed(self._children(node, deadline)):  # later children are drawn on top
            if self._extents(child, deadline).contains(point.x, point.y):
                return child
        return None

    def _describe(self, node: Node, deadline: float) -> ElementInfo:
        name = str(self._prop(node, "Name", deadline) or "")
        if not name.strip():
            name = str(self._prop(node, "Description", deadline) or "")
        role_id = self._call(node, _ACCESSIBLE, "GetRole", deadline)[0]
        role = (
            "password text"
            if role_id == _ROLE_PASSWORD_TEXT
            else str(self._call(node, _ACCESSIBLE, "GetRoleName", deadline)[0])
        )
        try:
            bounds: Rect | None = self._extents(node, deadline)
        except _OutOfTime:
            raise
        except Exception:
            bounds = None
        return ElementInfo(name, role, "accessibility", bounds)

    def _focused(self, deadline: float) -> ElementInfo | None:
        """The focused element of the active window, with its application's name."""
        active = [
            (app, w) for app, w in self._app_windows(deadline) if _STATE_ACTIVE in self._states(w, deadline)
        ]
        if not active:
            return None
        app, window = active[0]
        queue = [window]
        while queue:
            node = queue.pop(0)
            if _STATE_FOCUSED in self._states(node, deadline):
                found = self._describe(node, deadline)
                name = str(self._prop(app, "Name", deadline) or "")
                return replace(found, app=name.lower())
            queue.extend(self._children(node, deadline))
        return None


_FOCUS_UNKNOWN = ElementInfo("", FOCUS_UNKNOWN_ROLE, "accessibility")


class _OutOfTime(DeskhandError):
    """The walk used up its time; caught in this module (before any broader handler)."""
