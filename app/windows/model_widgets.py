"""Model widgets shared by the Settings window and the first-run wizard.

The server calls run as ``server_jobs.ServerJob`` (why they are two objects is said there);
the windows keep painting and stay cancellable while a pull streams for minutes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from deskhand.app.jobs.pull_progress import PullProgress
from deskhand.app.jobs.server_jobs import (
    ModelServer,
    ServerFactory,
    ServerJob,
    ollama_server,
    server_jobs_running,
    stop_server_jobs,
)
from deskhand.app.model_choice import RECOMMENDED_MODEL
from deskhand.app.store.history_views import plural
from deskhand.core.ports import ShouldStop
from deskhand.vision.ollama_model import ModelInfo, ProgressCallback

log = logging.getLogger(__name__)

__all__ = [
    "ModelPicker",
    "ModelServer",
    "PullPanel",
    "PullProgress",
    "ServerFactory",
    "ServerJob",
    "error_label",
    "ollama_server",
    "server_jobs_running",
    "show_error",
    "stop_server_jobs",
]


def error_label() -> QLabel:
    label = QLabel()
    label.setStyleSheet("color: #b00020;")
    label.setWordWrap(True)
    label.hide()
    return label


def show_error(label: QLabel, message: str) -> None:
    label.setText(message)
    label.setVisible(bool(message))


class ModelPicker(QWidget):
    """A list of the vision models installed on a server, loaded in the background."""

    loaded = Signal(list)  # list[ModelInfo], vision models only

    def __init__(self, server_factory: ServerFactory, current: str | None = None) -> None:
        super().__init__()
        self._factory, self._current = server_factory, current
        self._job: ServerJob | None = None
        self.suggestion = RECOMMENDED_MODEL  # named when the server has no vision model
        self._empty: tuple[str, str] | None = None  # (host, note) while that is what it says
        self.combo = QComboBox()
        self.refresh_button = QPushButton("Refresh")
        self.status = QLabel()
        self.status.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.combo, 1)
        row.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.status)
        self.combo.activated.connect(lambda _i: self.select(self.current_model() or ""))
        self._fill([])

    def refresh(self, host: str) -> None:
        self.detach()
        self._empty = None
        self.status.setText(f"Asking {host} for its models…")
        self.refresh_button.setEnabled(False)
        factory = self._factory
        job = self._job = ServerJob(lambda _p, _s: factory(host).list_models(), self)
        job.succeeded.connect(lambda models: self._loaded(job, host, models))
        job.failed.connect(lambda message: self._failed(job, message))
        job.start()

    def detach(self) -> None:
        if self._job is not None:
            self._job.detach()
            self._job = None

    def select(self, name: str) -> None:
        """Make ``name`` the choice once the list (re)loads (e.g. right after pulling it)."""
        self._current = name or None
        index = self.combo.findData(name)
        if index >= 0:
            self.combo.setCurrentIndex(index)

    def current_model(self) -> str | None:
        name = self.combo.currentData()
        return name if isinstance(name, str) and name else None

    def _fill(self, models: list[ModelInfo]) -> None:
        self.combo.clear()
        names = [m.name for m in models]
        for m in models:
            size = f"{m.size / 1e9:.1f} GB" if m.size else "size unknown"
            self.combo.addItem(f"{m.name}  ({m.parameter_size or '?'} · {size})", m.name)
        if self._current and self._current not in names:  # keep the configured one visible
            self.combo.addItem(f"{self._current}  (not installed there)", self._current)
        if self._current:
            self.combo.setCurrentIndex(self.combo.findData(self._current))

    def _loaded(self, job: ServerJob, host: str, models: list[ModelInfo]) -> None:
        if job is not self._job:  # an answer from before the host changed
            return
        self._job = None
        self.refresh_button.setEnabled(True)
        vision = [m for m in models if m.vision]
        self._fill(vision)
        hidden = len(models) - len(vision)
        note = f" ({hidden} without vision hidden)" if hidden else ""
        self._empty = None if vision else (host, note)
        if vision:
            self.status.setText(f"{plural(len(vision), 'vision model')} on {host}{note}.")
        else:
            self._say_empty()
        self.loaded.emit(vision)

    def suggest(self, name: str) -> None:
        """The model to name when the server has none (the wizard's recommendation)."""
        self.suggestion = name
        if self._empty is not None:
            self._say_empty()

    def _say_empty(self) -> None:
        host, note = self._empty or ("", "")
        self.status.setText(f"No vision model on {host}{note}. Pull one below, e.g. {self.suggestion}.")

    def _failed(self, job: ServerJob, message: str) -> None:
        if job is not self._job:
            return
        self._job = None
        self.refresh_button.setEnabled(True)
        self.status.setText(message)


class PullPanel(QWidget):
    """Name + Pull + a progress bar fed by Ollama's pull stream + Cancel."""

    pulled = Signal(str)

    def __init__(self, server_factory: ServerFactory, host: Callable[[], str], name: str = "") -> None:
        super().__init__()
        self._factory, self._host = server_factory, host
        self._job: ServerJob | None = None
        self.name = QLineEdit(name or RECOMMENDED_MODEL)
        self.pull_button, self.cancel_button = QPushButton("Pull"), QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setValue(0)
        self.status = QLabel()
        self.status.setWordWrap(True)
        row = QHBoxLayout()
        for widget in (self.name, self.pull_button, self.cancel_button):
            row.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.bar)
        layout.addWidget(self.status)
        self.pull_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)

    @property
    def busy(self) -> bool:
        return self._job is not None

    def start(self) -> None:
        name, host = self.name.text().strip(), self._host()
        if not name or self._job is not None:
            self.status.setText(f"Type a model name first, e.g. {RECOMMENDED_MODEL}." if not name else "")
            return
        progress, factory = PullProgress(), self._factory

        def work(report: ProgressCallback, should_stop: ShouldStop) -> object:
            factory(host).pull(name, report, should_stop=should_stop)
            return name

        job = self._job = ServerJob(work, self)
        job.progressed.connect(lambda s, c, t: self._progress(progress, s, c, t))
        job.succeeded.connect(lambda _: self._done(f"Pulled {name}.", name))
        job.failed.connect(lambda message: self._done(message, None))
        job.cancelled.connect(lambda: self._done(f"Cancelled; pulling {name} again resumes.", None))
        self.pull_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.bar.setRange(0, 0)  # busy until Ollama reports sizes
        self.status.setText(f"Pulling {name} through {host}…")
        job.start()

    def cancel(self) -> None:
        if self._job is not None:
            self._job.cancel()

    def detach(self) -> None:
        if self._job is not None:
            self._job.detach()
            self._job = None

    def _progress(self, progress: PullProgress, status: str, completed: Any, total: Any) -> None:
        progress.update(status, completed, total)
        fraction = progress.fraction
        if fraction is not None:
            self.bar.setRange(0, 1000)
            self.bar.setValue(round(fraction * 1000))
        self.status.setText(progress.text())

    def _done(self, message: str, name: str | None) -> None:
        self._job = None
        self.pull_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.bar.setRange(0, 1000)
        self.bar.setValue(1000 if name else 0)
        self.status.setText(message)
        if name:
            self.pulled.emit(name)
