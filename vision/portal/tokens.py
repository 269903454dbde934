"""The portal's restore token, kept in the config folder so the desktop asks only once.

The token is a capability: whoever holds it gets the screen and input without a dialog.
So the file is the user's alone (0600, written via a temporary file created 0600 and
renamed into place, never world-readable even for a moment), next to ``config.toml``.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["TokenStore"]


class TokenStore:
    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> str | None:
        try:
            text = self.path.read_text(encoding="utf-8").strip()
        except (FileNotFoundError, UnicodeDecodeError):
            return None
        return text or None

    def save(self, token: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            os.fchmod(file.fileno(), 0o600)
            file.write(token + "\n")
        os.replace(tmp, self.path)

    def forget(self) -> None:
        self.path.unlink(missing_ok=True)
