"""The tray app's side of the privacy guard: the opt-in dialog before a task, and the tray
saying where screenshots go while one runs.  Runs offscreen when there is no display."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication, QDialog

from deskhand.app import privacy
from deskhand.app.store.audit_log import AuditLog
from deskhand.app.store.config import Settings, load_settings
from deskhand.app.store.settings_store import save_settings
from deskhand.app.tray.controller import DeskhandApp
from deskhand.app.tray.tray import Tray
from deskhand.app.windows.remote_consent import RemoteConsentDialog
from deskhand.core.privacy import Destination, Reach, destination

HOST = "http://gpu-box.lan:8000/v1"


@pytest.fixture
def qapp() -> QApplication:
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    return app


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DESKHAND_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("DESKHAND_DATA_DIR", str(tmp_path / "data"))
    table = {"gpu-box.lan": ["192.168.1.20"], "gpu.example.com": ["203.0.113.5"]}
    monkeypatch.setattr(privacy, "resolve", lambda host: table.get(host, []))  # the test's own DNS
    return tmp_path


@pytest.fixture
def make_app(qapp: QApplication, isolated: Path) -> Iterator[object]:
    made: list[DeskhandApp] = []

    def make(settings: Settings, answers: list[bool]) -> tuple[DeskhandApp, list[str]]:
        asked: list[str] = []

        def confirm(dest: Destination) -> bool:
            asked.append(dest.host)
            return answers.pop(0)

        save_settings(settings)
        app = DeskhandApp(
            settings=load_settings,
            audit_log=lambda: AuditLog(isolated / "audit.sqlite3"),
            confirm_timeout=5,
            confirm_remote=confirm,
        )
        app.notify = lambda *a: None
        made.append(app)
        return app, asked

    yield make
    for app in made:
        app.shutdown(wait_ms=2000)


def test_a_declined_host_starts_nothing(make_app: object) -> None:
    app, asked = make_app(Settings(backend="openai", host=HOST), [False])  # type: ignore[operator]
    assert app.start_task("Click Apply") is False
    assert asked == ["gpu-box.lan"]
    assert not app.session.running and not app.runner.busy
    assert load_settings().remote_hosts == ()


def test_an_allowed_host_is_remembered_and_shown_in_the_tray(make_app: object) -> None:
    app, asked = make_app(Settings(backend="openai", host=HOST), [True])  # type: ignore[operator]
    assert app._remote_allowed() is True
    assert asked == ["gpu-box.lan"] and app.sending_to == "gpu-box.lan"
    assert load_settings().remote_hosts == ("gpu-box.lan",)
    assert app._remote_allowed() is True and asked == ["gpu-box.lan"]  # not asked again
    tray = Tray(app)
    assert tray.remote() == ""  # only while a task runs
    app.session.start("Click Apply")
    tray.render()
    assert tray.icon.toolTip().endswith("\nSending screenshots to gpu-box.lan")
    tray.rebuild()
    remote = [a for a in tray.menu.actions() if a.objectName() == "remote"]
    assert [a.text() for a in remote] == ["Sending screenshots to gpu-box.lan"]


def test_public_plain_http_never_asks(make_app: object) -> None:
    app, asked = make_app(Settings(backend="openai", host="http://gpu.example.com/v1"), [True])  # type: ignore[operator]
    assert app.start_task("Click Apply") is False
    assert asked == [] and app.sending_to == ""


def test_loopback_neither_asks_nor_shows(make_app: object) -> None:
    app, asked = make_app(Settings(), [])  # type: ignore[operator]
    assert app._remote_allowed() is True
    assert asked == [] and app.sending_to == ""


def test_the_dialog_defaults_to_not_sending(qapp: QApplication) -> None:
    dest = destination("http://<b>evil</b>:8000/v1", ["192.168.1.20"])
    assert dest.reach is Reach.PRIVATE
    dialog = RemoteConsentDialog(dest)
    assert dialog.deny.isDefault() and not dialog.allow.isDefault()
    text = dialog.findChild(object, "consent-text").text()  # type: ignore[union-attr]
    assert "<b>evil</b>" not in text.replace("<b>&lt;b&gt;evil", "")  # the host is escaped
    dialog.open()
    dialog.allow.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    dialog.deleteLater()
