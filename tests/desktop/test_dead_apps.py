"""Every accessibility lookup skips an application the registry still lists after it closed.

Real Qt forms: a doomed one, then a live one (active, on top).  The registry
(``at-spi2-registryd``) is paused while a lookup asks it for the applications, the doomed
form is killed, and the registry resumes: it answers from the list it had -- the dead form
first -- and asking the dead form for its windows fails.  The policy's inspector, the
element list offered to the model and the skills' lookup must each skip the dead form and
still name the live form's button.  (Unpaused, the registry drops a killed application
within milliseconds; the pause makes that window certain instead of a matter of load.)
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from deskhand.core.geometry import Rect, ScreenGeometry, ScreenPoint, Size
from deskhand.core.observation import Observation
from deskhand.vision.inspect import AtspiInspector
from deskhand.vision.inspect.atspi import _REGISTRY, _ROOT
from deskhand.vision.inspect.elements import AtspiElements
from deskhand.vision.lookup.tree import AccessibleTree
from tests.a11y import Bus
from tests.desktop.conftest import wait_until

pytestmark = pytest.mark.desktop

SCREEN = Rect(0, 0, 1920, 1080)
BUDGET = 10.0  # the lookups wait for the paused registry; the default 150 ms would time out
TITLE = "Deskhand test form"


def observation() -> Observation:
    geometry = ScreenGeometry(image_size=Size(1316, 728), screen_rect=SCREEN)
    return Observation(f"dead-{time.monotonic_ns()}", b"", "image/jpeg", geometry, 0, 0)


@pytest.fixture
def forms(
    bus: Bus, tmp_path: Path
) -> Iterator[Callable[[str, str], tuple[subprocess.Popen[bytes], ScreenPoint]]]:
    """Starts a form with one button, waits until the tree names it; gives the process and
    the button's centre."""
    running: list[subprocess.Popen[bytes]] = []

    def start(button: str, place: str) -> tuple[subprocess.Popen[bytes], ScreenPoint]:
        log = tmp_path / f"{button}.jsonl"
        env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": bus.session}
        argv = [sys.executable, "-m", "tests.e2e.apps.form", "--log", str(log), "--buttons", button,
                "--place", place]  # fmt: skip
        proc = subprocess.Popen(argv, env=env, stderr=subprocess.DEVNULL)
        running.append(proc)
        line = wait_until(lambda: log.exists() and log.read_text().strip(), 20, f"the {button} form")
        x, y = json.loads(line.splitlines()[0])["centres"][button]
        centre = ScreenPoint(x=x, y=y)
        probe = AtspiInspector(bus_address=bus.a11y, budget=2.0)
        wait_until(
            lambda: (found := probe.inspect(centre, observation())) is not None and found.label == button,
            20,
            f"the {button} form active in the accessibility tree",
        )
        probe.close()
        return proc, centre

    yield start
    for proc in running:
        proc.kill()
        proc.wait(5)


def registry_pid(bus: Bus) -> int:
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    daemon = DBusAddress(
        "/org/freedesktop/DBus", bus_name="org.freedesktop.DBus", interface="org.freedesktop.DBus"
    )
    with open_dbus_connection(bus=bus.a11y) as conn:
        reply = conn.send_and_get_reply(
            new_method_call(daemon, "GetConnectionUnixProcessID", "s", (_REGISTRY,))
        )
        return int(reply.body[0])


def ask_while_an_app_dies(
    bus: Bus, tree: AtspiInspector, doomed: subprocess.Popen[bytes], lookup: Callable[[], object]
) -> object:
    """``lookup()`` with ``tree``, the registry paused from its question until ``doomed`` is dead."""
    asked = threading.Event()
    ask_registry = tree._children

    def children(node: tuple[str, str], deadline: float) -> list[tuple[str, str]]:
        if node == (_REGISTRY, _ROOT):
            asked.set()
        return ask_registry(node, deadline)

    tree._children = children  # type: ignore[method-assign]  # only to see the question leave
    assert tree.applications() == 2  # connected, both forms listed (and the event now set once)
    asked.clear()
    registry = registry_pid(bus)
    result: list[object] = []
    thread = threading.Thread(target=lambda: result.append(lookup()))
    os.kill(registry, signal.SIGSTOP)
    try:
        thread.start()
        assert asked.wait(10), "the lookup never asked the registry"
        thread.join(0.3)  # the question is on the bus, queued at the paused registry
        assert thread.is_alive(), "the paused registry answered"
        doomed.kill()
        doomed.wait(5)
    finally:
        os.kill(registry, signal.SIGCONT)
    thread.join(BUDGET + 5)
    assert not thread.is_alive()
    return result[0]


def gone_skipped(caplog: pytest.LogCaptureFixture) -> bool:
    return any("skipping an application that has gone" in r.getMessage() for r in caplog.records)


def test_the_policys_inspector_names_the_live_button(
    bus: Bus, forms, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG, logger="deskhand.vision.inspect.atspi")
    doomed, _ = forms("Gone", "top-left")
    _, send = forms("Send", "bottom-right")
    inspector = AtspiInspector(bus_address=bus.a11y, budget=BUDGET)
    found = ask_while_an_app_dies(bus, inspector, doomed, lambda: inspector.inspect(send, observation()))
    assert gone_skipped(caplog)
    assert found is not None and (found.label, found.role) == ("Send", "push button")  # type: ignore[attr-defined]


def test_the_element_list_holds_the_live_button(bus: Bus, forms, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG, logger="deskhand.vision.inspect.atspi")
    doomed, _ = forms("Gone", "top-left")
    forms("Send", "bottom-right")
    tree = AtspiInspector(bus_address=bus.a11y, budget=BUDGET)
    source = AtspiElements(tree, budget=BUDGET)
    seen = ask_while_an_app_dies(bus, tree, doomed, lambda: source.elements(observation()))
    assert gone_skipped(caplog)
    assert seen is not None and "Send" in [e.name for e in seen]  # type: ignore[attr-defined]


def test_the_skills_lookup_finds_the_live_button(bus: Bus, forms, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG, logger="deskhand.vision.inspect.atspi")
    doomed, _ = forms("Gone", "top-left")
    _, send = forms("Send", "bottom-right")
    tree = AccessibleTree(bus_address=bus.a11y, budget=BUDGET)
    found = ask_while_an_app_dies(bus, tree, doomed, lambda: tree.find("push button", "Send", TITLE))
    assert gone_skipped(caplog)
    assert isinstance(found, list) and len(found) == 1
    assert found[0].bounds is not None and found[0].bounds.contains(send.x, send.y)
