"""A private session D-Bus with the accessibility bus on it, for tests that need AT-SPI.

Started per test module (``dbus-daemon`` + ``at-spi-bus-launcher``) so no test depends on
the machine's own session; accessibility is switched on before any window starts, as a
screen reader or Deskhand would do.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from deskhand.core.geometry import Rect, ScreenGeometry, ScreenPoint, Size
from deskhand.core.observation import Observation
from deskhand.vision.inspect import AtspiInspector, enable_accessibility

LAUNCHER = "/usr/libexec/at-spi-bus-launcher"
T = TypeVar("T")


@dataclass(frozen=True)
class Bus:
    session: str  # DBUS_SESSION_BUS_ADDRESS for the windows and the CLI
    a11y: str  # the accessibility bus an inspector talks to


def _a11y_address(session: str) -> str | None:
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    try:
        with open_dbus_connection(bus=session) as conn:
            call = new_method_call(
                DBusAddress("/org/a11y/bus", bus_name="org.a11y.Bus", interface="org.a11y.Bus"), "GetAddress"
            )
            return str(conn.send_and_get_reply(call, timeout=2).body[0])
    except Exception:  # not up yet
        return None


_ANY = Observation(
    "probe", b"", "", ScreenGeometry(image_size=Size(1, 1), screen_rect=Rect(0, 0, 1, 1)), 0, 0
)


def _ask_tree(session: str, question: Callable[[AtspiInspector], T]) -> T | None:
    a11y = _a11y_address(session)
    if a11y is None:
        return None
    inspector = AtspiInspector(budget=2.0, bus_address=a11y)
    try:
        return question(inspector)
    finally:
        inspector.close()


def tree_shows(session: str, x: int, y: int) -> bool:
    """Whether the accessibility tree names an element at (x, y) in the active window: the
    window is placed, has the focus and has registered its tree.  A poll's condition."""
    return _ask_tree(session, lambda tree: tree.inspect(ScreenPoint(x=x, y=y), _ANY)) is not None


def tree_focus(session: str) -> str | None:
    """The label of the element with the keyboard focus, as the accessibility tree says."""
    found = _ask_tree(session, lambda tree: tree.focused(_ANY))
    return found.label if found is not None else None


def _launcher_owns_the_bus_name(session: str) -> bool:
    """Whether ``org.a11y.Bus`` has an owner on ``session`` -- asked of the daemon itself, so
    unlike a call to ``org.a11y.Bus`` it never starts the daemon's own launcher."""
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    daemon = DBusAddress(
        "/org/freedesktop/DBus", bus_name="org.freedesktop.DBus", interface="org.freedesktop.DBus"
    )
    try:
        with open_dbus_connection(bus=session) as conn:
            reply = conn.send_and_get_reply(
                new_method_call(daemon, "NameHasOwner", "s", ("org.a11y.Bus",)), timeout=2
            )
            return bool(reply.body[0])
    except Exception:  # the daemon not answering yet
        return False


def tree_active_windows(session: str) -> int | None:
    """How many windows the tree calls active: 0 once every application has heard that a
    window without a tree (a terminal) took the focus -- the X server says so first."""
    from deskhand.vision.inspect.atspi import _STATE_ACTIVE

    def count(tree: AtspiInspector) -> int | None:
        found: list[int] = []

        def walk(deadline: float) -> None:
            windows = tree._app_windows(deadline)
            found.append(sum(_STATE_ACTIVE in tree._states(w, deadline) for _, w in windows))

        tree._guarded(walk)
        return found[0] if found else None

    return _ask_tree(session, count)


class NoAccessibilityBus(RuntimeError):
    """dbus-daemon or at-spi2-core is not installed, or the bus did not come up."""


@contextmanager
def accessibility_bus() -> Iterator[Bus]:
    """Raises NoAccessibilityBus when dbus or at-spi2-core is missing (apt: dbus at-spi2-core)."""
    if not (shutil.which("dbus-daemon") and os.path.exists(LAUNCHER)):
        raise NoAccessibilityBus("needs dbus and at-spi2-core (apt: dbus at-spi2-core)")
    # The launcher puts its bus's socket in $XDG_RUNTIME_DIR/at-spi (else ~/.cache/at-spi): one
    # folder per bus, or two buses alive at once (two screens in one module, parallel runs)
    # share one socket and each session's inspector sees the other's windows.  Nothing may call
    # org.a11y.Bus before our launcher owns the name: the daemon would start a launcher of its
    # own (D-Bus activation) without the folder.  The daemon itself keeps the machine's
    # XDG_RUNTIME_DIR: services it activates for the apps (gvfs) mount FUSE file systems there.
    runtime = tempfile.mkdtemp(prefix="deskhand-a11y-")
    daemon = subprocess.run(
        ["dbus-daemon", "--session", "--fork", "--print-address=1", "--print-pid=1"],
        capture_output=True, text=True, check=True, timeout=10,
    )  # fmt: skip
    address, pid = daemon.stdout.split()[:2]
    env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": address, "XDG_RUNTIME_DIR": runtime}
    launcher = subprocess.Popen([LAUNCHER, "--launch-immediately"], env=env, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not _launcher_owns_the_bus_name(address) or (a11y := _a11y_address(address)) is None:
            if time.monotonic() > deadline:
                raise NoAccessibilityBus("the accessibility bus did not come up within 10 s")
            time.sleep(0.05)
        if not enable_accessibility(address):
            raise NoAccessibilityBus("accessibility could not be switched on")
        yield Bus(address, a11y)
    finally:
        launcher.terminate()
        launcher.wait(5)
        os.kill(int(pid), 15)
        shutil.rmtree(runtime, ignore_errors=True)
