"""What one setting's value may be: hotkeys, server addresses, folders, keyring names, rules.

Each check turns what the user typed into the one spelling the settings keep, or raises a
ValueError whose words end up in the usage error that names the file and the key.  They are
apart from ``config.Settings`` so the model reads as the list of settings it is.
"""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator

from deskhand.core.policy import UNLOCKABLE_RULES

__all__ = [
    "DataFolder",
    "HostName",
    "Hotkey",
    "KeyringName",
    "McpServerName",
    "ServerAddress",
    "UnlockableRule",
    "canonical_hotkey",
    "looks_like_a_key",
]

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


Hotkey = Annotated[str, AfterValidator(canonical_hotkey)]
UnlockableRule = Annotated[str, AfterValidator(_check_rule)]
HostName = Annotated[str, AfterValidator(_check_host_name)]
McpServerName = Annotated[str, AfterValidator(_check_mcp_name)]
ServerAddress = Annotated[str | None, AfterValidator(_check_host)]
DataFolder = Annotated[str | None, AfterValidator(_check_dir)]
KeyringName = Annotated[str | None, AfterValidator(_check_keyring_name)]
