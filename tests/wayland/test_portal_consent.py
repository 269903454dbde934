"""Consent once: the restore token, kept 0600 in the config folder, skips the dialog later.

Portal 1.16 persists ScreenCast sessions only (a RemoteDesktop one cannot persist before
1.17), so the token is shown with ``deskhand doctor``'s screen-only session; a task's
RemoteDesktop session takes the same code path (``PortalSession``) on newer portals.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests.wayland.conftest import deskhand
from tests.wayland.session import WaylandSession

pytestmark = pytest.mark.wayland


def doctor_rows(out: str) -> dict[str, str]:
    return {line.split()[0]: line for line in out.splitlines() if line.strip()}


def test_the_dialog_is_asked_once_then_the_token_is_reused(session: WaylandSession) -> None:
    token = Path(session.env["XDG_CONFIG_HOME"]) / "deskhand" / "portal-screen-token"
    asked = len(session.dialogs)  # the run's desktop is shared: count from here
    first = deskhand(session, "doctor", "--host", "http://127.0.0.1:9")
    rows = doctor_rows(first.stdout)
    assert "wayland (xdg-desktop-portal), because WAYLAND_DISPLAY=wayland-test" in rows["display"], (
        first.stdout
    )
    assert "RemoteDesktop v1: cannot keep the input permission" in rows["display"]
    assert " ok " in rows["capture"] and "portal stream 1280x720+0+0" in rows["capture"], first.stdout
    assert "permission kept" in rows["capture"]
    assert "Deskhand needs to see the screen" in first.stderr
    assert session.dialogs[asked:] == [{"dialog": True, "remote": False, "persist": 2}]
    assert stat.S_IMODE(token.stat().st_mode) == 0o600
    saved = token.read_text()

    second = deskhand(session, "doctor", "--host", "http://127.0.0.1:9")
    assert " ok " in doctor_rows(second.stdout)["capture"], second.stdout
    assert session.dialogs[asked + 1 :] == [{"dialog": False, "restored": True}]  # no dialog this time
    assert "Deskhand needs to see the screen" not in second.stderr
    assert token.read_text() == saved  # portal 1.16 hands the same token back; it is kept

    # The user revokes the permission: the next start asks again, and says why.
    session.revoke()
    session.answer_delay = 1.5
    try:
        third = deskhand(session, "doctor", "--host", "http://127.0.0.1:9")
    finally:
        session.answer_delay = 0.0
    assert " ok " in doctor_rows(third.stdout)["capture"], third.stdout
    assert session.dialogs[asked + 2]["dialog"] is True
    assert "the permission Deskhand saved was revoked or has expired" in third.stderr
