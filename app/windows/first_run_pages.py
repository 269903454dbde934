"""The first-run wizard's pages: is Ollama answering, which model, and the optional self-test.

Each page checks one set-up reason a first task would fail for and says what to do; the
wizard (``first_run.FirstRunWizard``) puts them in order and saves on Finish.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QVBoxLayout, QWizard, QWizardPage

from deskhand.app.model_choice import resolve_host
from deskhand.app.platform.hardware import Accelerator, recommend, recommend_planner
from deskhand.app.platform.hotkeys import shortcut_label
from deskhand.app.store.config import Settings
from deskhand.app.store.settings_store import InvalidSettings
from deskhand.app.tray.self_test import SelfTestReport
from deskhand.app.windows.button_board import SelfTestRun
from deskhand.app.windows.model_widgets import ModelPicker, PullPanel, ServerFactory, ServerJob
from deskhand.app.windows.ollama_help import server_help
from deskhand.vision.ollama_model import ModelInfo

__all__ = ["ModelPage", "SelfTestPage", "ServerPage"]


def _label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class ServerPage(QWizardPage):
    """Is Ollama answering at the host?  Shows its version, or how to install and start it."""

    def __init__(self, factory: ServerFactory, host: str, system: str) -> None:
        super().__init__()
        self.setTitle("Ollama")
        self._factory, self._system, self._ok = factory, system, False
        self._job: ServerJob | None = None
        self._checked = ""  # the address the last check was for
        self.host = QLineEdit(host)
        self.check_button = QPushButton("Check again")
        self.check_button.setAutoDefault(False)  # Enter belongs to the host field and Next
        self.status, self.help = _label(), _label()
        self.help.hide()
        layout = QVBoxLayout(self)
        for widget in (_label("Deskhand talks to a vision model served by Ollama at:"), self.host,
                       self.check_button, self.status, self.help):  # fmt: skip
            layout.addWidget(widget)
        self.check_button.clicked.connect(self.check)
        self.host.returnPressed.connect(self._enter)
        self.host.textEdited.connect(self._edited)

    def _enter(self) -> None:
        """Enter in the host field checks a new address; on a found one it goes on (Next)."""
        if not (self._ok and self.host.text().strip() == self._checked):
            self.check()

    def _edited(self, text: str) -> None:
        if self._ok and text.strip() != self._checked:
            self._set(False, "Press Enter to look for Ollama at this address.", "")

    def initializePage(self) -> None:
        self.check()

    def isComplete(self) -> bool:
        return self._ok

    def check(self) -> None:
        host = self.host.text().strip()
        if self._job is not None:
            self._job.detach()
        self._checked = host
        self._set(False, f"Looking for Ollama at {host}…", "")
        factory = self._factory  # the call may outlive this page: it holds no widget
        job = self._job = ServerJob(lambda _p, _s: factory(host).server_version(), self)
        job.succeeded.connect(lambda version: self._set(True, f"Found Ollama {version} at {host}.", ""))
        job.failed.connect(lambda message: self._set(False, message, server_help(host, self._system)))
        job.start()

    def _set(self, ok: bool, status: str, help_text: str) -> None:
        self._ok = ok
        self.status.setText(status)
        self.help.setText(help_text)
        self.help.setVisible(bool(help_text))
        self.completeChanged.emit()

    def cleanupPage(self) -> None:
        if self._job is not None:
            self._job.detach()


class ModelPage(QWizardPage):
    """Detect GPU memory, recommend a model by the table in ``hardware``, pull it."""

    def __init__(
        self, factory: ServerFactory, host: Callable[[], str], detect: Callable[[], Accelerator]
    ) -> None:
        super().__init__()
        self.setTitle("A vision model")
        self._detect, self._host = detect, host
        self._installed: set[str] = set()
        self._job: ServerJob | None = None
        self.hardware, self.advice = _label("Looking at this machine's GPU…"), _label()
        self.picker = ModelPicker(factory)
        self.pull = PullPanel(factory, host)
        layout = QVBoxLayout(self)
        for widget in (self.hardware, self.advice, _label("Installed vision models:"), self.picker,
                       _label("Pull a model:"), self.pull):  # fmt: skip
            layout.addWidget(widget)
        self.picker.loaded.connect(self._models_loaded)
        self.picker.refresh_button.clicked.connect(lambda: self.picker.refresh(self._host()))
        self.picker.combo.currentIndexChanged.connect(lambda _i: self.completeChanged.emit())
        self.pull.pulled.connect(self._pulled)

    def initializePage(self) -> None:
        detect = self._detect
        job = self._job = ServerJob(lambda _p, _s: detect(), self)
        job.succeeded.connect(self._detected)
        job.failed.connect(lambda message: self.hardware.setText(f"Could not look at the GPU: {message}"))
        job.start()
        self.picker.refresh(self._host())

    def isComplete(self) -> bool:
        return self.model() is not None

    def model(self) -> str | None:
        name = self.picker.current_model()
        return name if name in self._installed else None

    def _detected(self, accelerator: Accelerator) -> None:
        advice = recommend(accelerator)
        self.hardware.setText(accelerator.describe())
        also = f" (or {', '.join(advice.alternatives)})" if advice.alternatives else ""
        text = f"Recommended: {advice.model}{also}, a {advice.download_gb:g} GB download: {advice.why}."
        planner = recommend_planner(accelerator, advice)
        if planner is not None:
            text += (
                f"\nThere is room for a planner beside it: {planner.model} ({planner.download_gb:g} GB) "
                "says each step in words and the vision model finds where to act. Pull it too and set "
                f'planner_model = "{planner.model}" in the config (or use `deskhand do --planner {planner.model}`).'
            )
        self.advice.setText(text)
        self.pull.name.setText(advice.model)
        self.picker.suggest(advice.model)
        if advice.model in self._installed:
            self.picker.select(advice.model)

    def _models_loaded(self, models: list[ModelInfo]) -> None:
        self._installed = {m.name for m in models}
        wanted = self.pull.name.text().strip()
        if wanted in self._installed and self.picker.current_model() not in self._installed:
            self.picker.select(wanted)
        self.completeChanged.emit()

    def _pulled(self, name: str) -> None:
        self.picker.select(name)
        self.picker.refresh(self._host())

    def cleanupPage(self) -> None:
        self.pull.detach()
        self.picker.detach()
        if self._job is not None:
            self._job.detach()
            self._job = None


class SelfTestPage(QWizardPage):
    """Optional: run the grounding self-test with the chosen model and show the score."""

    def __init__(self, settings: Callable[[], Settings]) -> None:
        super().__init__()
        self.setTitle("Self-test")
        self._settings = settings
        self.run: SelfTestRun | None = None
        self.report: SelfTestReport | None = None
        self.start_button = QPushButton("Run the self-test")
        self.start_button.setAutoDefault(False)  # Enter on this page is Finish
        self.status, self.details = _label(), _label()
        self.after = _label()
        layout = QVBoxLayout(self)
        intro = ("Deskhand shows six named buttons across the screen and asks the model to click each. "
                 "Keep your hands off the mouse for a minute; Esc stops it. You may also skip this.")  # fmt: skip
        for widget in (_label(intro), self.start_button, self.status, self.details, self.after):
            layout.addWidget(widget)
        self.start_button.clicked.connect(self.start)

    def initializePage(self) -> None:
        try:
            chord = self._settings().hotkey_command_bar
        except InvalidSettings:
            chord = Settings().hotkey_command_bar
        keys = shortcut_label(chord)
        self.after.setText(f"After Finish, press {keys} (or click the tray icon) to give Deskhand a task.")
        self._focus_finish()

    def _focus_finish(self) -> None:
        """Finish is the default button, and has the focus (not "< Back") when a run ends."""
        wizard = self.wizard()
        if wizard is not None:
            finish = wizard.button(QWizard.WizardButton.FinishButton)
            if isinstance(finish, QPushButton):
                finish.setDefault(True)
            finish.setFocus(Qt.FocusReason.OtherFocusReason)

    def start(self) -> None:
        settings = self._settings()
        host, model = resolve_host(None, settings), settings.model or ""
        self.start_button.setEnabled(False)
        self.status.setStyleSheet("")
        self.status.setText(f"Testing {model}…")
        run = self.run = SelfTestRun(settings, host=host, model=model, screen=self.screen())
        run.progressed.connect(lambda i, n, label: self.status.setText(f"Target {i + 1} of {n}: {label}"))
        run.finished.connect(self._finished)
        run.failed.connect(self._failed)
        run.start()

    def _finished(self, report: SelfTestReport) -> None:
        self.report, self.run = report, None
        self.start_button.setEnabled(True)
        self.status.setText(report.verdict())
        colour = "#1b5e20" if report.passed else "#b00020"
        self.status.setStyleSheet(f"color: {colour}; font-weight: bold;")
        lines = [
            f"{r.label}: {'hit' if r.hit else 'missed'}"
            + (f", {r.error_px:.0f} px from its centre" if r.error_px is not None else ", no click")
            for r in report.results
        ]
        self.details.setText("\n".join(lines))
        self._focus_finish()

    def _failed(self, message: str) -> None:
        self.run = None
        self.start_button.setEnabled(True)
        self.status.setText(f"Could not run the self-test: {message}")
        self.status.setStyleSheet("color: #b00020; font-weight: bold;")
        self._focus_finish()

    def cleanupPage(self) -> None:
        if self.run is not None:
            self.run.close()
            self.run = None
