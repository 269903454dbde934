"""The tray's occasional windows -- History, Settings, Skills, the first-run wizard --
built on first use and kept.

Why lazily, by module name: each pulls in its own dependencies (charts, the model
server's jobs, the store), so the tray starts without them and a window that cannot be
built (a missing optional part, an unreadable audit log) is a notice, not a crash.  What a
window's signals do (settings saved, set-up done, "save as skill") is the app's; it is
connected here once, when the window is built.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from deskhand.core.errors import DeskhandError

if TYPE_CHECKING:
    from deskhand.app.tray.controller import DeskhandApp

__all__ = ["OtherWindows"]

log = logging.getLogger(__name__)

_BUILT_LAZILY = {
    "history": ("deskhand.app.windows.history", "HistoryWindow"),
    "settings": ("deskhand.app.windows.settings", "SettingsWindow"),
    "first_run": ("deskhand.app.windows.first_run", "FirstRunWizard"),
}


class OtherWindows:
    def __init__(self, app: DeskhandApp) -> None:
        self.app = app
        self.opened: dict[str, QWidget] = {}  # built so far, by name ("history", "settings", ...)

    def open(self, name: str, *, quiet: bool = False) -> None:
        """Show window ``name``, building it first if needed; ``quiet``: a window that cannot
        be built is only logged (at start), not announced."""
        if name == "skills":
            self.app.skills.open_window()
            return
        window = self.opened.get(name)
        if window is None:
            window = self._build(name, quiet)
            if window is None:
                return
            self.opened[name] = window
        window.show()
        window.raise_()
        window.activateWindow()

    def _build(self, name: str, quiet: bool) -> QWidget | None:
        app = self.app
        module, cls_name = _BUILT_LAZILY[name]
        try:
            cls = getattr(importlib.import_module(module), cls_name)
            window = cls(app.audit()) if name == "history" else cls()
        except (ImportError, AttributeError, DeskhandError) as exc:
            if quiet:
                log.info("%s window not available: %s", name, exc)
                return None
            app.notify("Deskhand", f"The {name.replace('_', ' ')} window cannot open ({exc}).", True)
            return None
        for signal_name in ("saved", "completed"):  # SettingsWindow / FirstRunWizard
            signal = getattr(window, signal_name, None)
            if signal is not None:
                signal.connect(app.apply_settings)
        if name == "first_run":
            window.completed.connect(app.ready)
        if name == "history":
            window.save_skill_requested.connect(lambda task_id: app.skills.save_task(task_id))
        built: QWidget = window
        return built
