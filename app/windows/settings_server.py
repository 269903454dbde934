"""The Settings window's "Model server" group: protocol, address, API-key keyring entry,
model (listed and pulled from Ollama), image size and detail.

Why the keyring field refuses things that look like a key: the config file is plain text
that backups and dotfile repositories copy around; a key pasted there by mistake would leak.
Only the *name* of an OS keyring entry is stored (``keyring set deskhand NAME``).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel, QLineEdit

from deskhand.app.backends import default_host
from deskhand.app.model_choice import resolve_host
from deskhand.app.store.config import Settings
from deskhand.app.store.settings_store import InvalidSettings, updated
from deskhand.app.windows.model_widgets import ModelPicker, PullPanel, ServerFactory, show_error
from deskhand.app.windows.settings_fields import SettingsGroup, choice

__all__ = ["ServerGroup"]

BACKENDS = {
    "ollama": "Ollama",
    "openai": "OpenAI-compatible (vLLM, llama-server, LM Studio, SGLang)",
}
DETAILS = {
    "normal": "normal (~1,200 image tokens at 1080p)",
    "high": "high (up to ~2,600; Qwen3-VL and JSON-dialect models)",
}
HOST_LABELS = {"ollama": "Ollama host", "openai": "Server base URL"}
_KEYRING_NOTE = (
    "Only for an OpenAI-compatible server that needs a key (and when DESKHAND_API_KEY is unset): "
    "save the key in your system's password store with `keyring set deskhand NAME`, then enter "
    "NAME here. The key itself is never written to the config file."
)


_PLANNER_NOTE = (
    "Optional: any chat model on the same server (e.g. qwen3:4b) says each step in words, and the "
    "vision model finds where to act. Both stay loaded, so both must fit in memory."
)


class ServerGroup(SettingsGroup):
    """Fields for ``backend``, ``host``, ``api_key_keyring``, ``model``, ``planner_model``,
    ``max_image_pixels`` and ``detail``; it also refreshes the model list when the address changes."""

    def __init__(self, settings: Settings, errors: dict[str, QLabel], server_factory: ServerFactory) -> None:
        super().__init__("Model server", errors)
        s = settings
        self.backend = choice("backend", BACKENDS, s.backend)
        self.host = QLineEdit(s.host or "")
        self.api_key_keyring = QLineEdit(s.api_key_keyring or "")
        self.api_key_keyring.setPlaceholderText("the name the key is saved under, e.g. gpu-box")
        self.models = ModelPicker(server_factory, s.model)
        self.pull = PullPanel(server_factory, self.effective_host)
        self.planner_model = QLineEdit(s.planner_model or "")
        self.planner_model.setPlaceholderText("none: the vision model decides alone")
        self.max_image_pixels = QLineEdit("" if s.max_image_pixels is None else str(s.max_image_pixels))
        self.max_image_pixels.setPlaceholderText("automatic: the model's budget, within the server's")
        self.detail = choice("detail", DETAILS, s.detail)
        self.row("Server protocol", self.backend, "backend")
        self.row(HOST_LABELS[s.backend], self.host, "host")
        self.row("API key (saved as)", self.api_key_keyring, "api_key_keyring", _KEYRING_NOTE)
        self.row("Vision model", self.models, "model")
        self.row("Pull a model", self.pull)
        self.row("Planner model", self.planner_model, "planner_model", _PLANNER_NOTE)
        self.row(
            "Most pixels per screenshot",
            self.max_image_pixels,
            "max_image_pixels",
            "Leave it empty unless you lowered your server's own image size limit; then enter that limit.",
        )
        self.row("Screen detail", self.detail, "detail")
        self.host.editingFinished.connect(self.refresh_models)
        self.models.refresh_button.clicked.connect(self.refresh_models)
        self.pull.pulled.connect(lambda _name: self.refresh_models())
        self.backend.currentIndexChanged.connect(self._backend_changed)
        self._follow_backend()

    def current_backend(self) -> str:
        return str(self.backend.currentData())

    def effective_host(self) -> str:
        return resolve_host(self.host.text().strip() or None, Settings(), self.current_backend())

    def refresh_models(self) -> None:
        """List the server's vision models, once the address itself is valid."""
        try:
            updated(Settings(), {"host": self.host.text()})
        except InvalidSettings as exc:
            show_error(self._errors["host"], exc.errors.get("host", str(exc)))
            return
        show_error(self._errors["host"], "")
        if self.current_backend() != "ollama":
            self.models.detach()
            self.models.refresh_button.setEnabled(True)
            self.models.status.setText(
                "The list comes from Ollama only; the model set here is kept. "
                "`deskhand models --backend openai` lists what the server offers."
            )
            return
        self.models.refresh(self.effective_host())

    def values(self) -> dict[str, Any]:
        pixels = self.max_image_pixels.text().strip().replace(",", "").replace("_", "")
        return {
            "backend": self.current_backend(),
            "host": self.host.text().strip() or None,
            "api_key_keyring": self.api_key_keyring.text().strip() or None,
            "model": self.models.current_model(),
            "planner_model": self.planner_model.text().strip() or None,
            "max_image_pixels": pixels or None,  # Settings turns digits into a number or says why not
            "detail": self.detail.currentData(),
        }

    def detach(self) -> None:
        """The window is closing: let every server call end on its own, unowned."""
        self.pull.detach()
        self.models.detach()

    def _follow_backend(self) -> None:
        backend = self.current_backend()
        self.host.setPlaceholderText(default_host("openai" if backend == "openai" else "ollama"))
        label = self.form.labelForField(self.host)
        if isinstance(label, QLabel):
            label.setText(HOST_LABELS[backend])
        self.pull.setEnabled(backend == "ollama")
        self.pull.setToolTip("" if backend == "ollama" else "Pulling models is an Ollama feature.")

    def _backend_changed(self) -> None:
        self._follow_backend()
        self.refresh_models()
