"""Where skills live: one YAML file per skill in the ``skills`` folder of the data dir.

The folder is beside the audit log (``DESKHAND_DATA_DIR``, else the configured data dir,
else the platform's), private (0700) like it: a skill holds what the user typed.  Files
are written whole to a temporary name and renamed, so a crash never leaves half a skill.
"""

from __future__ import annotations

import os
from pathlib import Path

from deskhand.app.skills.skill_file import SkillFileError, dump_skill, parse_skill
from deskhand.app.store.config import Settings
from deskhand.app.store.settings_store import audit_log_path
from deskhand.core.skill import Skill, SkillError, check_name

__all__ = ["SkillStore", "skills_dir"]

SUFFIX = ".yaml"


def skills_dir(settings: Settings) -> Path:
    return audit_log_path(settings).parent / "skills"


class SkillStore:
    """Save, load, list and delete skills in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @classmethod
    def for_settings(cls, settings: Settings) -> SkillStore:
        return cls(skills_dir(settings))

    def path(self, name: str) -> Path:
        return self.folder / f"{check_name(name)}{SUFFIX}"

    def exists(self, name: str) -> bool:
        return self.path(name).is_file()

    def save(self, skill: Skill) -> Path:
        """Write ``skill`` (replacing one of the same name); returns its file."""
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        dest = self.path(skill.name)
        temporary = dest.with_suffix(".tmp")
        old_umask = os.umask(0o077)
        try:
            temporary.write_text(dump_skill(skill), encoding="utf-8")
            os.replace(temporary, dest)
        finally:
            os.umask(old_umask)
        return dest

    def load(self, name: str) -> Skill:
        """The skill called ``name``; ``SkillError`` if there is none, ``SkillFileError`` if
        its file is not valid."""
        path = self.path(name)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise SkillError(f"There is no skill '{name}' (see `deskhand skills list`).") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise SkillFileError(f"Skill '{name}' cannot be read: {exc}.") from exc
        return parse_skill(text, name)

    def names(self) -> list[str]:
        if not self.folder.is_dir():
            return []
        return sorted(p.stem for p in self.folder.glob(f"*{SUFFIX}") if p.is_file())

    def delete(self, name: str) -> None:
        try:
            self.path(name).unlink()
        except FileNotFoundError:
            raise SkillError(f"There is no skill '{name}' (see `deskhand skills list`).") from None
