"""Recent commands: what the user asked for lately, newest first, kept across restarts.

Plain Python (no Qt) so the command bar's Up/Down behaviour is tested without a display.
The file is small JSON in the data directory; a damaged file is treated as empty rather
than stopping the app, because losing the recall list is harmless and a crash is not.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import platformdirs

from deskhand.app.store.config import APP_NAME

log = logging.getLogger(__name__)

MAX_RECENT = 50


def default_recent_path() -> Path:
    override = os.environ.get("DESKHAND_DATA_DIR")
    base = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME))
    return base / "recent_commands.json"


class RecentCommands:
    """Newest-first, de-duplicated list of task texts, persisted on every change."""

    def __init__(self, path: Path | None = None, limit: int = MAX_RECENT) -> None:
        self.path = path or default_recent_path()
        self.limit = limit
        self._items = self._load()

    @property
    def items(self) -> list[str]:
        return list(self._items)

    def add(self, command: str) -> None:
        text = command.strip()
        if not text:
            return
        self._items = [text, *(c for c in self._items if c != text)][: self.limit]
        self._save()

    def _load(self) -> list[str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable recent-commands file %s: %s", self.path, exc)
            return []
        if not isinstance(data, list):
            return []
        seen: list[str] = []
        for item in data:
            if isinstance(item, str) and item.strip() and item not in seen:
                seen.append(item)
        return seen[: self.limit]

    def _save(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self._items, ensure_ascii=False, indent=0), encoding="utf-8")
            tmp.replace(self.path)
        except OSError as exc:
            log.warning("could not save recent commands to %s: %s", self.path, exc)


class HistoryWalker:
    """Up/Down through recent commands, shell-style, keeping what the user was typing.

    Position -1 is "the draft" (the text before the first Up); 0 is the newest command.
    """

    def __init__(self, items: list[str]) -> None:
        self.items = items
        self.position = -1
        self.draft = ""

    def older(self, current: str) -> str:
        if self.position == -1:
            self.draft = current
        if self.position + 1 < len(self.items):
            self.position += 1
            return self.items[self.position]
        return current

    def newer(self, current: str) -> str:
        if self.position <= -1:
            return current
        self.position -= 1
        return self.draft if self.position == -1 else self.items[self.position]
