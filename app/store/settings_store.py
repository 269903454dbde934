"""Saving settings: validate the whole form first, then replace the file atomically.

Why atomic: the app, the CLI and a user's editor all read ``config.toml``; a crash or a full
disk halfway through a write must leave the old file, never half a new one.  So the text is
written to a temporary file in the same folder (0600 -- the file may name private paths and
servers), flushed to disk, and moved over the old one with ``os.replace``.

Why validate here and not in the window: the rules live in ``Settings`` (pydantic), so the
window, the CLI and this module cannot disagree.  ``updated`` turns a pydantic error into
one message per field, which the window shows next to that field.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import ValidationError

from deskhand.app.store.audit_database import default_path as default_audit_path
from deskhand.app.store.config import Settings, config_path
from deskhand.core.errors import SetupError

__all__ = ["InvalidSettings", "audit_log_path", "personal_db_path", "save_settings", "to_toml", "updated"]


class InvalidSettings(SetupError, ValueError):
    """Some fields were refused; ``errors`` maps each field name to a one-line reason."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


def _reason(error: Mapping[str, Any]) -> str:
    msg = str(error["msg"])
    return msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def updated(base: Settings, changes: Mapping[str, Any]) -> Settings:
    """``base`` with ``changes`` applied, fully validated; raises ``InvalidSettings``.

    Every field is checked (not only the first bad one), so the window can mark them all.
    """
    unknown = sorted(set(changes) - set(Settings.model_fields))
    if unknown:
        raise InvalidSettings({k: "not a Deskhand setting" for k in unknown})
    data = {**base.model_dump(), **changes}
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            key = str(error["loc"][0]) if error["loc"] else "settings"
            errors.setdefault(key, _reason(error))
        raise InvalidSettings(errors) from exc


def to_toml(settings: Settings) -> str:
    """The settings as TOML, listing only what differs from the defaults.

    Defaults stay out of the file so a later Deskhand with better defaults still applies
    them; ``None`` (TOML has no null) means "not set" and is left out the same way.
    """
    data = settings.model_dump(mode="json", exclude_defaults=True, exclude_none=True)
    header = "# Deskhand settings (written by the Settings window; edit freely).\n"
    return header + tomli_w.dumps(data)


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Write ``settings`` to ``path`` (default: ``config_path()``) atomically, mode 0600."""
    path = path or config_path()
    text = to_toml(settings)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise SetupError(
            f"Tried to save the settings to {path}, but the folder is not writable ({exc.strerror}). "
            "Check its permissions or set DESKHAND_CONFIG to another file."
        ) from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:  # mkstemp already made it 0600
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise SetupError(
            f"Tried to save the settings to {path}, but writing failed ({exc.strerror}); "
            "the old file is unchanged. Free some disk space and save again."
        ) from exc
    _sync_dir(path.parent)
    return path


def _sync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX); Windows cannot open a folder, and needs not."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def audit_log_path(settings: Settings) -> Path:
    """Where the history database lives: DESKHAND_DATA_DIR, else ``data_dir``, else the default.

    The environment wins so a test or a one-off run can point elsewhere without editing files.
    """
    if settings.data_dir and not os.environ.get("DESKHAND_DATA_DIR"):
        return Path(settings.data_dir) / "audit.sqlite3"
    return default_audit_path()


def personal_db_path(settings: Settings) -> Path:
    """Memory and schedules: beside the audit log, in the same private folder."""
    return audit_log_path(settings).parent / "personal.sqlite3"
