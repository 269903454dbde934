"""`deskhand do` against a model server address that is not what it seems: a name that does
not resolve (a typo, a LAN box that is off), and a server that redirects elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.xsession import XSession, deskhand
from tests.fakeserver.redirect import Recorder, Redirector

pytestmark = pytest.mark.desktop

MODEL = ("--model", "qwen2.5vl:7b")


@pytest.fixture
def screen(screen_768: XSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> XSession:
    monkeypatch.setitem(screen_768.env, "DESKHAND_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setitem(screen_768.env, "DESKHAND_DATA_DIR", str(tmp_path / "data"))
    return screen_768


def test_a_name_that_does_not_resolve_is_said_so_not_public_internet(screen: XSession) -> None:
    url = "http://gpu-box.invalid:11434"  # .invalid never resolves (RFC 6761)
    for flags in ((), ("--allow-remote",)):
        r = deskhand(screen, "do", "Click Apply", *MODEL, "--host", url, *flags)
        assert r.returncode == 2, r.stdout + r.stderr
        assert r.stderr.splitlines()[-1] == (
            f"deskhand: error: Tried to send screenshots to the model server at {url}, but the name "
            "gpu-box.invalid does not resolve to an address (a typo, or a machine that is off or not "
            "on this network). Check the server's address."
        )
        assert "public internet" not in r.stderr


def test_a_redirect_to_another_server_stops_the_task_naming_both(screen: XSession) -> None:
    screen.start_form()
    with Recorder("127.0.0.2") as elsewhere, Redirector(elsewhere.url) as server:
        r = deskhand(screen, "do", "Click Apply", *MODEL, "--host", server.url)
        assert r.returncode == 2, r.stdout + r.stderr
        assert r.stderr.splitlines()[-1] == (
            f"deskhand: error: Sent a request to the model server at {server.url}, but it redirected "
            f"it to {elsewhere.url}, another server, which was not followed: screenshots go only to the "
            f"server you configured. If {elsewhere.url} is the right server, set it as the model "
            "server's address; otherwise fix the redirect on that server."
        )
        assert server.seen and elsewhere.requests == []
