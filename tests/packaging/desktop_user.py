"""What the packaging tests start an installed Deskhand with: a desktop user's bare
environment, and how they see its icon in the tray host (trayer, from tests/ui/conftest.py)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from tests.ui.conftest import x


def user_env(tmp: Path, **extra: str) -> dict[str, str]:
    """A desktop user's environment: the test display, an empty home, no Python around."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(tmp / "home"),
        "LANG": "C.UTF-8",
        "DISPLAY": os.environ["DISPLAY"],
        "XDG_CONFIG_HOME": str(tmp / "config"),
        "XDG_DATA_HOME": str(tmp / "data"),
        "XDG_CACHE_HOME": str(tmp / "cache"),
        "XDG_RUNTIME_DIR": str(tmp / "run"),
        "DESKHAND_DATA_DIR": str(tmp / "deskhand-data"),
        "DESKHAND_CONFIG": str(tmp / "config.toml"),
        "QT_QPA_PLATFORM": "xcb",
        **extra,
    }
    if "XAUTHORITY" in os.environ:
        env["XAUTHORITY"] = os.environ["XAUTHORITY"]
    for folder in ("home", "run"):
        (tmp / folder).mkdir(exist_ok=True, mode=0o700)
    return env


def in_tray() -> bool:
    """Whether a window named Deskhand is embedded in trayer's panel (the tray icon is shown)."""
    tree = x("xwininfo", "-root", "-tree")
    panel = re.search(r'(0x[0-9a-f]+) "panel": \("panel" "trayer"\)', tree)
    return panel is not None and '"Deskhand"' in x("xwininfo", "-tree", "-id", panel.group(1))
