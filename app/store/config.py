"""User settings: a small TOML file under the platform's config dir, validated on load.

A bad file is a usage error with one line that names the file, the key and what is
allowed -- never a traceback and never a silently ignored value.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
import urllib.parse
from pathlib import Path
from typing import Annotated, Literal

import platformdirs
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from deskhand.core.errors import UsageError
from deskhand.core.policy import UNLOCKABLE_RULES

APP_NAME = "deskhand"

# Hotkeys are stored in Qt's portable text ("Ctrl+Alt+Space") but checked here without Qt,
# so the CLI can load the file on a machine without PySide6.
_MODIFIERS = ("Meta", "Ctrl", "Alt", "Shift")  # Qt's own order in QKeySequence.toString()
_MODIFIER_ALIASES = {"meta": "Meta", "super": "Meta", "win": "Meta", "ctrl": "Ctrl", "control": "Ctrl",
                     "alt": "Alt", "shift": "Shift"}  # fmt: skip
_NAMED_KEYS = {k.lower(): k for k in (
    "Space", "Esc", "Tab", "Backspace", "Return", "Enter", "Ins", "Del", "Home", "End", "PgUp",
    "PgDown", "Left", "Up", "Right", "Down", "Pause", "Print", *(f"F{n}" for n in range(1, 36)),
)}  # fmt: skip
_KEY_ALIASES = {"escape": "Esc", "delete": "Del", "insert": "Ins", "pageup": "PgUp", "pagedown": "PgDown"}
_PLAIN_KEY = re.compile(r"^[A-Za-z0-9,.;/'\[\]\\`=-]$")
_RESERVED = {"Ctrl+Alt+Del", "Ctrl+Alt+Backspace", "Alt+Tab", "Alt+F4"}
_SECRET_NAME = re.compile(r"(?:^|_)(?:api_?key|key|token|secret|password)$", re.IGNORECASE)
_KEY_PREFIX = re.compile(r"^(?:sk|pk|rk|hf|gsk|xai|api)[-_]|^bearer\s", re.IGNORECASE)


def canonical_hotkey(text: str) -> str:
    """One key chord in Qt's portable spelling; ValueError says what is wrong with it."""
    parts = [p.strip() for p in text.strip().split("+")]
    if len(parts) < 2 or any(not p for p in parts):
        raise ValueError(f"{text!r} is not a key chord; write it like Ctrl+Alt+Space")
    *mods, key = parts
    names = set()
    for mod in mods:
        name = _MODIFIER_ALIASES.get(mod.lower())
        if name is None:
            raise ValueError(f"{mod!r} in {text!r} is not a modifier (Ctrl, Alt, Shift or Meta)")
        names.add(name)
    if not names & {"Ctrl", "Alt", "Meta"}:
        raise ValueError(f"{text!r} needs Ctrl, Alt or Meta, or it would swallow normal typing")
    low = key.lower()
    if low in _NAMED_KEYS or low in _KEY_ALIASES:
        key = _KEY_ALIASES.get(low) or _NAMED_KEYS[low]
    elif _PLAIN_KEY.match(key):
        key = key.upper()
    else:
        raise ValueError(f"{key!r} in {text!r} is not a key Deskhand can bind")
    chord = "+".join([*(m for m in _MODIFIERS if m in names), key])
    if chord in _RESERVED:
        raise ValueError(f"{chord} is reserved by the system")
    return chord


def _check_host(text: str | None) -> str | None:
    """The Ollama address: http(s)://host[:port][/path], or host[:port] as OLLAMA_HOST allows."""
    if text is None or not text.strip():
        return None
    raw = text.strip()
    url = raw if "://" in raw else f"http://{raw}"
    try:
        split = urllib.parse.urlsplit(url)
        port = split.port
    except ValueError as exc:
        raise ValueError(f"{raw!r} is not a valid URL ({exc})") from None
    if split.scheme not in ("http", "https"):
        raise ValueError(f"{raw!r} must start with http:// or https://")
    if not split.hostname or any(c.isspace() for c in raw) or split.query or split.fragment:
        raise ValueError(f"{raw!r} is not a server address like http://127.0.0.1:11434")
    if port == 0:
        raise ValueError(f"{raw!r} has port 0; Ollama listens on 11434 unless told otherwise")
    if split.username or split.password:
        raise ValueError("the server address must not carry a user name or password; set DESKHAND_API_KEY")
    return raw


def _check_dir(text: str | None) -> str | None:
    if text is None or not text.strip():
        return None
    path = Path(text.strip()).expanduser()
    if not path.is_absolute() or "\0" in text:
        raise ValueError(f"{text!r} must be an absolute folder path, e.g. ~/deskhand-history")
    return str(path)


def _check_host_name(text: str) -> str:
    """A host name or address as the privacy guard remembers it (no scheme, port or path)."""
    name = text.strip().strip("[]").rstrip(".").lower()
    if not name or any(c in name for c in "/@?# \t") or name.count(":") == 1:
        raise ValueError(f"{text!r} is not a host name; write it like gpu-box.lan or 192.168.1.20")
    return name


def looks_like_a_key(name: str) -> bool:
    """True for text that is more likely an API key than a keyring entry name."""
    if _KEY_PREFIX.search(name):
        return True
    mixed = any(c.islower() for c in name) and any(c.isupper() for c in name)
    return len(name) >= 32 and mixed and sum(c.isdigit() for c in name) >= 4 and " " not in name


def _check_keyring_name(name: str | None) -> str | None:
    """The name of a keyring entry -- never the key, which must not land in this file."""
    if name is None or not name.strip():
        return None
    if looks_like_a_key(name.strip()):
        raise ValueError(
            "that looks like an API key itself; keys are never saved here: store it with "
            "`keyring set deskhand NAME` and enter only NAME"
        )
    return name.strip()


def _check_rule(rule_id: str) -> str:
    """A block rule the user may unlock (it then asks instead of refusing)."""
    if rule_id not in UNLOCKABLE_RULES:
        raise ValueError(
            f"{rule_id!r} is not a rule that can be unlocked; choose from {', '.join(UNLOCKABLE_RULES)}"
        )
    return rule_id


_MCP_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


def _check_mcp_name(name: str) -> str:
    """A server's name becomes part of the tool names the model calls (``notes__search``)."""
    if not _MCP_NAME.match(name) or "__" in name:
        raise ValueError(f"{name!r} is not a server name; use letters, digits, - and _ (no '__')")
    return name


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


Hotkey = Annotated[str, AfterValidator(canonical_hotkey)]
UnlockableRule = Annotated[str, AfterValidator(_check_rule)]
HostName = Annotated[str, AfterValidator(_check_host_name)]
McpServerName = Annotated[str, AfterValidator(_check_mcp_name)]


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str | None = None
    # A second model that plans each step in words (any chat model, text or vision); ``model``
    # then grounds its words on the screenshot (README, "Planner and grounder").
    planner_model: str | None = None
    host: Annotated[str | None, AfterValidator(_check_host)] = None
    # The model server's protocol: Ollama's own API, or an OpenAI-compatible server (vLLM,
    # llama-server, LM Studio, SGLang), whose ``host`` is the base URL including /v1.
    backend: Literal["ollama", "openai"] = "ollama"
    # Where the OpenAI-compatible server's API key lives when DESKHAND_API_KEY and
    # OPENAI_API_KEY are unset: the name of an OS keyring entry under the service "deskhand"
    # (`keyring set deskhand NAME`).  The key itself is never written to this file.
    api_key_keyring: Annotated[str | None, AfterValidator(_check_keyring_name)] = None
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
    data_dir: Annotated[str | None, AfterValidator(_check_dir)] = None
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
