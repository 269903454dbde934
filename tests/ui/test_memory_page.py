"""The Memory page: add, refuse a secret (saying why), forget, clear, export -- on real SQLite."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from deskhand.app.store.memory_store import MemoryStore
from deskhand.app.windows.memory_page import MemoryPage


def page(qtbot: QtBot, tmp_path: Path) -> tuple[MemoryPage, MemoryStore]:
    store = MemoryStore(tmp_path / "personal.sqlite3")
    widget = MemoryPage(lambda: store)
    qtbot.addWidget(widget)
    widget.show()
    return widget, store


def texts(widget: MemoryPage) -> list[str]:
    return [widget.facts.item(i).text() for i in range(widget.facts.count())]


def test_typing_a_fact_and_enter_remembers_it(qtbot: QtBot, tmp_path: Path) -> None:
    widget, store = page(qtbot, tmp_path)
    qtbot.keyClicks(widget.entry, "My editor is mousepad")
    qtbot.keyClick(widget.entry, Qt.Key.Key_Return)
    assert texts(widget) == ["My editor is mousepad"]
    assert [f.text for f in store.facts()] == ["My editor is mousepad"]
    assert widget.entry.text() == ""


def test_a_secret_is_refused_and_the_reason_shown(qtbot: QtBot, tmp_path: Path) -> None:
    widget, store = page(qtbot, tmp_path)
    qtbot.keyClicks(widget.entry, "wifi password: Sommer2026")
    qtbot.mouseClick(widget.add_button, Qt.MouseButton.LeftButton)
    assert store.facts() == [] and texts(widget) == []
    assert "never keeps secrets" in widget.problem.text()
    assert widget.entry.text() == "wifi password: Sommer2026"  # kept, to edit


def test_forget_selected_clear_and_export(qtbot: QtBot, tmp_path: Path) -> None:
    widget, store = page(qtbot, tmp_path)
    for fact in ("one fact", "two facts", "three facts"):
        store.add(fact)
    widget.reload()
    widget.facts.item(1).setSelected(True)
    qtbot.mouseClick(widget.forget_button, Qt.MouseButton.LeftButton)
    assert texts(widget) == ["one fact", "three facts"]
    out = tmp_path / "memory.txt"
    widget.export(str(out))
    assert out.read_text() == "one fact\nthree facts\n"
    qtbot.mouseClick(widget.clear_button, Qt.MouseButton.LeftButton)
    assert store.facts() == [] and not widget.clear_button.isEnabled()


def test_the_tray_s_remember_keeps_a_fact_and_refuses_a_secret(qtbot: QtBot, tmp_path: Path) -> None:
    from deskhand.app.store.config import load_settings
    from deskhand.app.store.settings_store import personal_db_path
    from deskhand.app.tray.controller import DeskhandApp

    app = DeskhandApp()
    notes: list[tuple[str, bool]] = []
    app.notify = lambda title, message, error: notes.append((f"{title}: {message}", error))
    try:
        assert app.remember("The printer is called Laser-2")
        assert not app.remember("token ghp_0123456789abcdefghijABCDEFGHIJ")
    finally:
        app.shutdown()
    store = MemoryStore(personal_db_path(load_settings()))
    assert [f.text for f in store.facts()] == ["The printer is called Laser-2"]
    assert notes[0] == ("Deskhand remembers: #1: The printer is called Laser-2", False)
    assert notes[1][1] and "never keeps secrets" in notes[1][0]


def test_settings_has_the_memory_page(qtbot: QtBot, tmp_path: Path) -> None:
    from deskhand.app.windows.settings import SettingsWindow

    window = SettingsWindow()
    qtbot.addWidget(window)
    qtbot.keyClicks(window.memory.entry, "Reports go to ~/Reports")
    qtbot.keyClick(window.memory.entry, Qt.Key.Key_Return)
    assert texts(window.memory) == ["Reports go to ~/Reports"]
