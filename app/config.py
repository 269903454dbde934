"""User settings: a small TOML file under the platform's config dir, validated on load.

A bad file is a usage error with one line that names the file, the key and what is
allowed -- never a traceback and never a silently ignored value.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from deskhand.core.errors import UsageError

APP_NAME = "deskhand"


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str | None = None
    host: str | None = None
    dialect: Literal["json", "ui-tars", "qwen2.5-vl", "qwen3-vl"] | None = None
    max_steps: int = Field(default=30, ge=1, le=500)
    keep_alive: str = "30m"
    num_ctx: int = Field(default=8192, ge=2048, le=131072)
    num_predict: int = Field(default=384, ge=32, le=8192)
    shell_timeout: float = Field(default=30.0, gt=0, le=3600)
    settle_cap: float = Field(default=1.5, gt=0, le=30)
    jpeg_quality: int = Field(default=80, ge=30, le=95)


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
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"The config file {path} is not valid TOML ({exc}). Fix or delete it.") from exc
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"]) or "(file)"
        raise UsageError(
            f"The config file {path} has a bad value for `{key}`: {first['msg']}. Fix or delete it."
        ) from exc
