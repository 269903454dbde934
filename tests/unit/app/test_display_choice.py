"""Which display backend a task gets, from the session's own variables."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest

from deskhand.app.platform.display import choose_display
from deskhand.core.errors import UsageError
from deskhand.vision.portal.session import missing_portal_hint
from deskhand.vision.portal.tokens import TokenStore

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Wayland is Linux only")


@linux
@pytest.mark.parametrize(
    ("env", "wayland", "reason"),
    [
        ({"DISPLAY": ":0"}, False, "DISPLAY=:0"),
        ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, True, "WAYLAND_DISPLAY=wayland-0"),
        ({"XDG_SESSION_TYPE": "wayland"}, True, "XDG_SESSION_TYPE=wayland"),
        ({"WAYLAND_DISPLAY": "wayland-0", "DESKHAND_DISPLAY": "x11"}, False, "DESKHAND_DISPLAY=x11"),
        ({}, False, "no Wayland session"),
    ],
)
def test_backend_follows_the_session(env: dict[str, str], wayland: bool, reason: str) -> None:
    choice = choose_display(env)
    assert (choice.wayland, choice.reason) == (wayland, reason)


def test_a_bad_override_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="DESKHAND_DISPLAY='mir' is not a display backend"):
        choose_display({"DESKHAND_DISPLAY": "mir"})


@pytest.mark.parametrize(
    ("desktop", "remote", "fix"),
    [
        ("GNOME", True, "Install xdg-desktop-portal-gnome."),
        ("KDE", True, "Install xdg-desktop-portal-kde."),
        ("sway", True, "input is unsupported there"),
        ("sway", False, "Install xdg-desktop-portal-wlr."),
    ],
)
def test_missing_portal_says_what_to_install(
    desktop: str, remote: bool, fix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CURRENT_DESKTOP", desktop)
    line = missing_portal_hint(remote)
    assert fix in line and "\n" not in line


def test_the_token_file_is_private(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "deskhand" / "portal-restore-token")
    assert store.load() is None
    store.save("abc")
    assert store.load() == "abc"
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    store.forget()
    assert store.load() is None


@linux
def test_no_x11_key_grab_on_wayland(monkeypatch: pytest.MonkeyPatch) -> None:
    """XWayland's DISPLAY is set on a Wayland desktop, but a grab there misses Wayland apps."""
    from deskhand.app.platform.hotkeys import UnsupportedHotkeys, default_backend

    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    monkeypatch.delenv("DESKHAND_DISPLAY", raising=False)
    backend = default_backend()
    assert isinstance(backend, UnsupportedHotkeys)
    assert backend.start({"stop": object()}, lambda _name: None) == [  # type: ignore[dict-item]
        "Global hotkeys are not available: this is a Wayland session: apps cannot grab keys, and "
        "xdg-desktop-portal before 1.17 has no GlobalShortcuts portal. Use the tray menu instead."
    ]
