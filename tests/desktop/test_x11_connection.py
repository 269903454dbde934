"""The X connection the process keeps (``vision.x11_connection``): it must answer for the server
``DISPLAY`` names now, and come back after the server dropped it -- the focused window a step
reads is never another desktop's, and a lost connection costs one reconnect, not the answer."""

from __future__ import annotations

import socket
import threading

import pytest

from deskhand.vision.focus import focused_window
from deskhand.vision.x11_connection import with_display
from tests.e2e.xsession import XSession, wait_for, x_session

pytestmark = pytest.mark.desktop


def xterm_titled(session: XSession, title: str) -> None:
    session.spawn(["xterm", "-title", title, "-geometry", "40x10+60+80"])
    wait_for(lambda: session.focused(title), 20, f"the xterm {title!r} to have the focus")


def focused_title_on(session: XSession, monkeypatch: pytest.MonkeyPatch) -> str | None:
    monkeypatch.setenv("DISPLAY", session.env["DISPLAY"])
    monkeypatch.setenv("XAUTHORITY", session.env["XAUTHORITY"])
    window = focused_window()
    return None if window is None else window.title


def test_the_focused_window_is_always_the_named_servers(monkeypatch: pytest.MonkeyPatch) -> None:
    with x_session(800, 600) as first, x_session(800, 600) as second:
        xterm_titled(first, "on the first desktop")
        xterm_titled(second, "on the second desktop")
        assert focused_title_on(first, monkeypatch) == "on the first desktop"
        assert focused_title_on(second, monkeypatch) == "on the second desktop"
        assert focused_title_on(first, monkeypatch) == "on the first desktop"


def test_a_connection_the_server_dropped_is_opened_again(monkeypatch: pytest.MonkeyPatch) -> None:
    with x_session(800, 600) as session:
        xterm_titled(session, "still here")
        assert focused_title_on(session, monkeypatch) == "still here"
        kept = with_display(lambda dpy: dpy)
        assert kept is not None
        kept.display.socket.shutdown(socket.SHUT_RDWR)  # as when the server closes it
        assert focused_title_on(session, monkeypatch) == "still here"
        assert with_display(lambda dpy: dpy) is not kept


def test_threads_share_the_kept_connection_one_query_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    with x_session(800, 600) as session:
        xterm_titled(session, "shared")
        monkeypatch.setenv("DISPLAY", session.env["DISPLAY"])
        monkeypatch.setenv("XAUTHORITY", session.env["XAUTHORITY"])
        titles: list[str | None] = []

        def ask() -> None:
            for _ in range(50):
                window = focused_window()
                titles.append(None if window is None else window.title)

        threads = [threading.Thread(target=ask) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert titles == ["shared"] * 200  # no answer lost or garbled by another thread's query
        assert len({id(with_display(lambda dpy: dpy)) for _ in range(3)}) == 1
