"""The first-run wizard: find Ollama, pick and pull a model that fits the GPU, self-test it.

Why a wizard: a new user's first task fails for set-up reasons (no server, no model, a model
too big for the GPU) far more often than for the model's; each page checks one of them and
says what to do.  Installing Ollama is shown as text to copy, never run: piping a script from
the internet into a shell is the user's decision.  Nothing is saved until Finish.

The pages are in ``first_run_pages``, the words on installing Ollama in ``ollama_help``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWizard

from deskhand.app.model_choice import resolve_host
from deskhand.app.platform.hardware import Accelerator, detect_accelerator
from deskhand.app.store.config import Settings, config_path, load_settings
from deskhand.app.store.settings_store import InvalidSettings, save_settings, updated
from deskhand.app.windows.first_run_pages import ModelPage, SelfTestPage, ServerPage
from deskhand.app.windows.model_widgets import ServerFactory, ollama_server

__all__ = ["FirstRunWizard"]


class FirstRunWizard(QWizard):
    """Ollama → model → self-test; Finish saves host and model and emits ``completed``."""

    completed = Signal(object)  # Settings, once saved

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        path: Path | None = None,
        server_factory: ServerFactory = ollama_server,
        detect: Callable[[], Accelerator] = detect_accelerator,
        system: str = sys.platform,
    ) -> None:
        super().__init__()
        self.setWindowTitle("Set up Deskhand")
        self.path = path or config_path()
        self.settings = settings or load_settings(self.path)
        self.server = ServerPage(server_factory, resolve_host(None, self.settings), system)
        self.models = ModelPage(server_factory, self.host, detect)
        self.self_test = SelfTestPage(self.chosen)
        for page in (self.server, self.models, self.self_test):
            self.addPage(page)

    def host(self) -> str:
        return self.server.host.text().strip()

    def chosen(self) -> Settings:
        """The settings as the wizard would save them (host, model); raises InvalidSettings."""
        changes: dict[str, Any] = {"model": self.models.model() or self.settings.model}
        if self.host() != resolve_host(None, Settings()):  # the default needs no entry
            changes["host"] = self.host()
        return updated(self.settings, changes)

    def accept(self) -> None:
        try:
            new = self.chosen()
        except InvalidSettings as exc:
            self.self_test.status.setText(f"Not saved: {exc}")
            return
        save_settings(new, self.path)
        self.settings = new
        self.completed.emit(new)
        super().accept()

    def done(self, result: int) -> None:
        for page in (self.server, self.models, self.self_test):
            page.cleanupPage()
        super().done(result)
