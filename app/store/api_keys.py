"""The OpenAI-compatible server's API key: from the environment or the OS keyring, never a file.

Order: ``DESKHAND_API_KEY``, then ``OPENAI_API_KEY`` (what other tools already set), then
the keyring entry the settings name (``api_key_keyring``; store it with
``keyring set deskhand NAME``).  Local servers usually need none.  The key is only ever
held in memory and handed to the model client: Deskhand writes it to no config file, step
record, trace or audit log, and ``KeySource`` says where a key came from without it.  Commands
the model runs get neither these variables nor the key in their output (core.redaction).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field

from deskhand.app.store.config import Settings
from deskhand.core.errors import SetupError
from deskhand.core.redaction import API_KEY_ENV_VARS

__all__ = ["ENV_VARS", "KEYRING_SERVICE", "ApiKey", "api_key"]

log = logging.getLogger(__name__)

ENV_VARS = API_KEY_ENV_VARS
KEYRING_SERVICE = "deskhand"


@dataclass(frozen=True)
class ApiKey:
    """A key and where it came from; ``repr`` and ``str`` never show the key."""

    secret: str | None = field(repr=False)
    source: str  # "DESKHAND_API_KEY", "keyring entry 'openai'", or "none"

    def __str__(self) -> str:
        return f"API key from {self.source}" if self.secret else "no API key"


def api_key(settings: Settings) -> ApiKey:
    """The key to send, or an empty ``ApiKey`` when none is configured."""
    for name in ENV_VARS:
        value = os.environ.get(name, "").strip()
        if value:
            return ApiKey(value, name)
    entry = settings.api_key_keyring
    if not entry:
        return ApiKey(None, "none")
    return ApiKey(_from_keyring(entry), f"keyring entry {entry!r}")


def _from_keyring(entry: str) -> str:
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError as exc:
        raise SetupError(
            f"Tried to read the API key from the keyring entry {entry!r}, but the `keyring` "
            "package is not installed. Install it (`pip install keyring`) or set DESKHAND_API_KEY."
        ) from exc
    try:
        value = keyring.get_password(KEYRING_SERVICE, entry)
    except KeyringError as exc:
        raise SetupError(
            f"Tried to read the API key from the keyring entry {entry!r}, but the keyring failed "
            f"({type(exc).__name__}). Unlock your keyring, or set DESKHAND_API_KEY instead."
        ) from exc
    if not value:
        raise SetupError(
            f"Tried to read the API key from the keyring entry {entry!r} (service "
            f"{KEYRING_SERVICE!r}), but there is no such entry. Store it with "
            f"`keyring set {KEYRING_SERVICE} {entry}`, or set DESKHAND_API_KEY."
        )
    return value.strip()
