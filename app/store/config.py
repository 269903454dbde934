"""User settings: a small TOML file under the platform's config dir, validated on load.

A bad file is a usage error with one line that names the file, the key and what is
allowed -- never a traceback and never a silently ignored value.  What each value may be
(a hotkey, a server address, a folder...) is checked in ``setting_values``.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from deskhand.app.store.setting_values import (
    DataFolder,
    HostName,
    Hotkey,
    KeyringName,
    McpServerName,
    ServerAddress,
    UnlockableRule,
)
from deskhand.core.errors import UsageError

APP_NAME = "deskhand"

_SECRET_NAME = re.compile(r"(?:^|_)(?:api_?key|key|token|secret|password)$", re.IGNORECASE)


class McpServer(BaseModel):
    """One MCP server whose tools the model may call: a command (stdio) or a URL (HTTP)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    command: str | None = None
    args: tuple[str, ...] = ()
    env: dict[str, str] = Field(default_factory=dict)
    url: str | None = None
    # Tool names that run without asking / never run (else: read-only tools run, others ask).
    always_allow: tuple[str, ...] = ()
    blocked: tuple[str, ...] = ()
    timeout: float = Field(default=30.0, gt=0, le=600)  # seconds a call may take

    @model_validator(mode="after")
    def _one_transport(self) -> McpServer:
        if (self.command is None) == (self.url is None):
            raise ValueError("give either `command` (a program speaking MCP on stdio) or `url`, not both")
        if self.url is not None and not self.url.startswith(("http://", "https://")):
            raise ValueError(f"{self.url!r} must start with http:// or https://")
        return self


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str | None = None
    # A second model that plans each step in words (any chat model, text or vision); ``model``
    # then grounds its words on the screenshot (README, "Planner and grounder").
    planner_model: str | None = None
    host: ServerAddress = None
    # The model server's protocol: Ollama's own API, or an OpenAI-compatible server (vLLM,
    # llama-server, LM Studio, SGLang), whose ``host`` is the base URL including /v1.
    backend: Literal["ollama", "openai"] = "ollama"
    # Where the OpenAI-compatible server's API key lives when DESKHAND_API_KEY and
    # OPENAI_API_KEY are unset: the name of an OS keyring entry under the service "deskhand"
    # (`keyring set deskhand NAME`).  The key itself is never written to this file.
    api_key_keyring: KeyringName = None
    # Most pixels one screenshot may have; None = the model family's budget (~1,200 image
    # tokens at 1080p), lowered to the server's own limit.  Set it to the server's limit if
    # you changed that (vLLM --mm-processor-kwargs max_pixels, llama-server --image-max-tokens).
    max_image_pixels: int | None = Field(default=None, ge=64 * 64, le=64 << 20)
    # Hosts you allowed to receive screenshots (added when you opt in), and public hosts you
    # allow over plain http:// (only by editing this file, or --allow-insecure-remote per run).
    remote_hosts: tuple[HostName, ...] = ()
    insecure_hosts: tuple[HostName, ...] = ()
    dialect: Literal["json", "ui-tars", "qwen2.5-vl", "qwen3-vl", "holo"] | None = None
    max_steps: int = Field(default=30, ge=1, le=500)
    # A task that has not finished after this long ends as "gave up" (checked between steps).
    max_task_seconds: float = Field(default=1800.0, ge=10, le=86400)
    keep_alive: str = "30m"
    num_ctx: int = Field(default=8192, ge=2048, le=131072)
    num_predict: int = Field(default=384, ge=32, le=8192)
    shell_timeout: float = Field(default=30.0, gt=0, le=3600)
    settle_cap: float = Field(default=1.5, gt=0, le=30)
    jpeg_quality: int = Field(default=80, ge=30, le=95)
    # How much of the screen the model sees: "normal" ~1,200 image tokens at 1080p, "high"
    # up to ~2,600 (Qwen3-VL and JSON-dialect models only; see vision.imaging.detail_grid).
    detail: Literal["normal", "high"] = "normal"
    # Risk policy (the approver reads these): how long a confirmation waits before it counts
    # as "deny", and a strict mode that asks before every action, even "auto" ones.
    confirm_timeout: float = Field(default=60.0, ge=5, le=3600)
    ask_every_action: bool = False
    # Block rules (ids as in the README's "Safety" table) that ask you instead of refusing.
    # Nothing ever runs without asking by being unlocked.
    unlocked_rules: tuple[UnlockableRule, ...] = ()
    # Look at what a click lands on / typing goes into (accessibility tree, else OCR of the
    # screenshot) and ask before risky buttons (Send, Pay, Delete…) and password fields.
    inspect_targets: bool = True
    # Grounding (README "Small targets"): show the model a numbered list of the active
    # window's elements from the accessibility tree (where it can be trusted) so it may
    # answer "element 12"; move a point at one element's edge to its centre; and look again
    # at a zoomed-in crop when the target is small (one more model call, only then).
    element_list: bool = True
    snap_to_elements: bool = True
    zoom_small_targets: bool = True
    # How long after a model-server fault mid-task (restarting, overloaded, stream cut,
    # silent) `deskhand do` gives up with exit code 2, the retries' own waits for the server
    # included; 0 = do not wait.  The tray app waits until you press Stop.
    model_wait_seconds: float = Field(default=20.0, ge=0, le=3600)
    # How long to wait for the first word of an answer (loading a model from a slow disk can
    # take minutes); past it the step counts as a server fault and pauses as above.
    first_token_timeout: float = Field(default=120.0, ge=2, le=3600)
    hotkey_command_bar: Hotkey = "Ctrl+Alt+Space"
    hotkey_stop: Hotkey = "Ctrl+Alt+End"
    # Where the audit log (history) lives; None means the platform's data dir.  0 days = keep all.
    data_dir: DataFolder = None
    retention_days: int = Field(default=90, ge=0, le=36500)
    # Memory: the remembered facts relevant to a task go into its prompt (only where
    # screenshots may go), and the model may propose facts to keep (always asked).
    use_memory: bool = True
    # Schedules missed while the tray app was not running: ask once at start, run them once,
    # or skip to their next time.
    missed_schedules: Literal["ask", "run", "skip"] = "ask"
    # MCP servers whose tools the model may call ([mcp_servers.NAME] tables; README "MCP").
    mcp_servers: dict[McpServerName, McpServer] = Field(default_factory=dict)
    # Voice (deskhand.voice).  Free speech uses Whisper once its model is downloaded (on
    # first use) and pocketsphinx (English) until then; command words always use
    # pocketsphinx's grammar.  Listening outside push-to-talk is opt-in: it keeps the
    # microphone open for a whole task.
    recognizer: Literal["whisper", "pocketsphinx"] = "whisper"
    whisper_model_size: Literal["auto", "tiny", "base", "small", "medium", "large-v3"] = "auto"
    whisper_device: Literal["auto", "cpu", "cuda"] = "auto"
    listen_for_stop: bool = False
    listen_for_confirmation: bool = False
    spoken_feedback: bool = False
    hotkey_push_to_talk: Hotkey = "Ctrl+Alt+V"
    # How long a spoken task waits in the command bar (to edit or cancel) before it runs.
    voice_review_seconds: float = Field(default=3.0, ge=0.5, le=30)

    @field_validator("hotkey_stop")
    @classmethod
    def _distinct_hotkeys(cls, value: str, info: ValidationInfo) -> str:
        if value == info.data.get("hotkey_command_bar"):
            raise ValueError(f"the command bar already uses {value}; Stop needs its own hotkey")
        return value

    @field_validator("hotkey_push_to_talk")
    @classmethod
    def _distinct_push_to_talk(cls, value: str, info: ValidationInfo) -> str:
        for other in ("hotkey_command_bar", "hotkey_stop"):
            if value == info.data.get(other):
                raise ValueError(
                    f"{value} is already the {other.removeprefix('hotkey_').replace('_', ' ')} hotkey"
                )
        return value


def config_path() -> Path:
    override = os.environ.get("DESKHAND_CONFIG")
    if override:
        return Path(override)
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def load_settings(path: Path | None = None) -> Settings:
    """Read the settings file; a missing file means defaults."""
    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings()
    except OSError as exc:
        raise UsageError(f"Tried to read the config file {path}, but {exc.strerror}.") from exc
    except UnicodeDecodeError as exc:  # binary garbage, or saved in another encoding
        raise UsageError(
            f"Tried to read the config file {path}, but it is not UTF-8 text (byte {exc.object[exc.start]:#04x} "
            f"at offset {exc.start}). Save it as UTF-8, or delete it."
        ) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"The config file {path} is not valid TOML ({exc}). Fix or delete it.") from exc
    except RecursionError as exc:  # tomllib recurses once per level of [[[...]]] or {a={b=...}}
        raise UsageError(
            f"Tried to read the config file {path}, but its arrays or tables are nested too deeply "
            "to be settings. Fix or delete it."
        ) from exc
    if any(_SECRET_NAME.search(str(name)) for name in data):
        raise UsageError(
            f"The config file {path} holds an API key setting, but keys are never read from (or "
            "written to) this file. Delete that line and set DESKHAND_API_KEY, or store the key "
            'with `keyring set deskhand NAME` and set api_key_keyring = "NAME".'
        )
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"]) or "(file)"
        if first["type"] == "extra_forbidden":
            raise UsageError(
                f"The config file {path} has an unknown setting `{key}`. {_did_you_mean(key)}"
            ) from exc
        raise UsageError(
            f"The config file {path} has a bad value for `{key}`: {first['msg']}. Fix or delete it."
        ) from exc


def _did_you_mean(key: str) -> str:
    """What to do about an unknown key: the setting it most likely misspells, if any."""
    close = difflib.get_close_matches(key, Settings.model_fields, n=1, cutoff=0.6)
    if close:
        return f"Did you mean `{close[0]}`? Rename or delete it."
    return "Delete it (the settings are listed in app/store/config.py, and the common ones in the README)."
