"""The privacy guard and key hygiene through the real CLI.

Fake servers can only listen on 127.0.0.0/8 here, so ``tests.e2e.classified`` runs the CLI
with 127.0.0.1 *classified* as a LAN or a public address while the connection still goes to
the fake.  Each test gets its own config file and data dir.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.classified import deskhand_seeing
from tests.e2e.xsession import XSession
from tests.fakeopenai import FakeOpenAI

pytestmark = pytest.mark.desktop

MODEL = "Qwen/Qwen2.5-VL-7B-Instruct"
KEY = "sk-e2e-9c1f0a7b5d3e4f2a8b6c"


@pytest.fixture
def screen(screen_768: XSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> XSession:
    monkeypatch.setitem(screen_768.env, "DESKHAND_CONFIG", str(tmp_path / "config" / "config.toml"))
    monkeypatch.setitem(screen_768.env, "DESKHAND_DATA_DIR", str(tmp_path / "data"))
    for name in ("DESKHAND_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delitem(screen_768.env, name, raising=False)
    return screen_768


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(models={MODEL: True}) as srv:
        yield srv


LAN = {"127.0.0.1": ["192.168.1.20"]}
PUBLIC = {"127.0.0.1": ["203.0.113.5"]}


def task(screen: XSession, server: FakeOpenAI, *flags: str, seen_as: dict[str, list[str]] | None = None):  # type: ignore[no-untyped-def]
    screen.start_form(buttons="Apply,Cancel")
    server.script([{"do": "click", "target": "Apply"}, {"do": "finish", "summary": "Applied."}])
    args = ("do", "Click Apply", "--backend", "openai", "--host", server.url, "--model", MODEL, *flags)
    return deskhand_seeing(screen, seen_as or {}, *args)


def remembered(screen: XSession) -> tuple[str, ...]:
    path = Path(screen.env["DESKHAND_CONFIG"])
    return tuple(tomllib.loads(path.read_text()).get("remote_hosts", ())) if path.exists() else ()


def test_loopback_is_used_silently(screen: XSession, server: FakeOpenAI) -> None:
    r = task(screen, server)
    assert r.returncode == 0, r.stdout + r.stderr
    assert remembered(screen) == ()


def test_a_lan_host_needs_the_opt_in_once(screen: XSession, server: FakeOpenAI) -> None:
    refused = task(screen, server, seen_as=LAN)
    assert refused.returncode == 2
    assert refused.stderr.splitlines()[-1] == (
        f"deskhand: error: Tried to send screenshots to the model server at {server.url}, but "
        "127.0.0.1 is on your private network and you have not allowed that yet. Run the task again "
        "with --allow-remote to allow 127.0.0.1 (Deskhand remembers it)."
    )
    assert [r for r in server.requests if r.method == "POST"] == []  # no screenshot left
    allowed = task(screen, server, "--allow-remote", seen_as=LAN)
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert remembered(screen) == ("127.0.0.1",)
    again = task(screen, server, seen_as=LAN)
    assert again.returncode == 0, again.stdout + again.stderr


def test_public_plain_http_is_refused_unless_overridden(screen: XSession, server: FakeOpenAI) -> None:
    refused = task(screen, server, "--allow-remote", seen_as=PUBLIC)
    assert refused.returncode == 2
    assert "127.0.0.1 is on the public internet and http:// is not encrypted" in refused.stderr
    assert [r for r in server.requests if r.method == "POST"] == []
    overridden = task(screen, server, "--allow-remote", "--allow-insecure-remote", seen_as=PUBLIC)
    assert overridden.returncode == 0, overridden.stdout + overridden.stderr
    assert remembered(screen) == ("127.0.0.1",)
    still_refused = task(screen, server, seen_as=PUBLIC)  # the override is per run; the opt-in is remembered
    assert still_refused.returncode == 2 and "not encrypted" in still_refused.stderr


def _files_under(*roots: Path) -> list[Path]:
    return [
        p
        for root in roots
        if root.exists()
        for p in ([root] if root.is_file() else root.rglob("*"))
        if p.is_file()
    ]


def test_the_api_key_lands_in_no_file(
    screen: XSession, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(screen.env, "DESKHAND_API_KEY", KEY)
    trace = tmp_path / "trace"
    with FakeOpenAI(models={MODEL: True}, api_key=KEY) as srv:
        r = task(screen, srv, "--allow-remote", "--trace", str(trace), seen_as=LAN)
        assert r.returncode == 0, r.stdout + r.stderr
        assert all(req.authorization == f"Bearer {KEY}" for req in srv.requests)
    with FakeOpenAI(models={MODEL: True}, api_key="sk-the-right-one", echo_bad_key=True) as srv:
        wrong = task(screen, srv, "--trace", str(trace), seen_as=LAN)  # 127.0.0.1 is remembered by now
        assert wrong.returncode == 2
        assert "refused the API key" in wrong.stderr and "[API key]" in wrong.stderr
        assert KEY not in wrong.stderr + wrong.stdout
    files = _files_under(
        Path(screen.env["DESKHAND_CONFIG"]).parent, Path(screen.env["DESKHAND_DATA_DIR"]), trace,
        Path(screen.env["XDG_CONFIG_HOME"]), Path(screen.env["XDG_DATA_HOME"]),
    )  # fmt: skip
    names = {p.name for p in files}
    assert {"config.toml", "audit.sqlite3", "steps.jsonl"} <= names, names
    for path in files:
        assert KEY.encode() not in path.read_bytes(), path
