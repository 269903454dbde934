"""Keeping the portal's permission: when to ask the portal to persist it (its interface
version), and the one session a long-running process keeps for its whole run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from deskhand.app.platform import display
from deskhand.app.platform.display import SharedPortal, share_portal, task_desktop, unshare_portal
from deskhand.vision.portal.session import NO_PERSIST_TEXT, can_keep_permission


@pytest.mark.parametrize(
    ("remote", "rd", "sc", "keeps"),
    [
        (True, 1, 4, False),  # xdg-desktop-portal 1.16 (Debian 12): RemoteDesktop v1
        (True, 2, 5, True),  # 1.17+: persist_mode 2 and a restore token
        (True, 3, 5, True),
        (True, None, 5, False),
        (False, 1, 3, False),  # a screen-only session: ScreenCast v4+ persists
        (False, 1, 4, True),
        (False, 1, 5, True),
    ],
)
def test_persist_is_asked_only_where_the_portal_can(
    remote: bool, rd: object, sc: object, keeps: bool
) -> None:
    assert can_keep_permission(remote, rd, sc) is keeps


def test_the_note_says_the_app_asks_once_per_run() -> None:
    assert "xdg-desktop-portal before 1.17" in NO_PERSIST_TEXT and "once per run" in NO_PERSIST_TEXT


class Desktop:
    """What SharedPortal needs of a PortalDesktop: ``ended``, input and ``close``."""

    def __init__(self) -> None:
        self.ended = False
        self.closed = False
        self.keys: list[tuple[int, bool]] = []

    def keysym(self, keysym: int, pressed: bool) -> None:
        self.keys.append((keysym, pressed))

    def close(self) -> None:
        self.closed = self.ended = True


def opener(opened: list[Desktop]) -> Callable[[Callable[[str], None]], Any]:
    def open_desktop(explain: Callable[[str], None]) -> Desktop:
        explain(f"asking #{len(opened) + 1}")
        opened.append(Desktop())
        return opened[-1]

    return open_desktop


def test_one_session_serves_every_task_until_the_desktop_ends_it() -> None:
    opened: list[Desktop] = []
    said: list[str] = []
    shared = SharedPortal(said.append, opener(opened))
    assert opened == []  # nothing asked before the first use
    first = shared.desktop()
    assert shared.desktop() is first and shared.desktop() is first
    shared.keysym(0x61, True)  # input (an executor built before the session) goes to it too
    assert len(opened) == 1 and said == ["asking #1"] and first.keys == [(0x61, True)]
    first.ended = True  # stopped from the desktop's sharing indicator
    second = shared.desktop()
    assert second is not first and first.closed and said == ["asking #1", "asking #2"]
    shared.close()
    assert second.closed


def test_the_kept_session_is_what_tasks_get(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESKHAND_DISPLAY", "wayland")
    opened: list[Desktop] = []
    shared = share_portal(lambda _text: None)
    assert isinstance(shared, SharedPortal)
    monkeypatch.setattr(shared, "_open", opener(opened))
    try:
        assert share_portal(lambda _text: None) is shared  # one per process
        chosen = task_desktop()
        assert chosen is not None and chosen[0] is opened[0] and chosen[1] is False  # not the task's
        assert task_desktop() == chosen and len(opened) == 1
    finally:
        unshare_portal()
    assert opened[0].closed and display._shared is None


def test_x11_keeps_no_portal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESKHAND_DISPLAY", "x11")
    assert share_portal(lambda _text: None) is None
    assert task_desktop() is None
