"""Start Deskhand on login, the way each desktop expects it.

* Linux: an XDG autostart entry, ``$XDG_CONFIG_HOME/autostart/deskhand.desktop``
  (read by GNOME, KDE, Xfce, LXQt, openbox's xdg-autostart ...).
* Windows: a value under ``HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run``.
* macOS: a LaunchAgent, ``~/Library/LaunchAgents/org.deskhand.app.plist``.

Only the Linux route is tested here.  The state is read back from the system each time,
never cached, so the menu's tick mark cannot disagree with what will happen at login.
"""

from __future__ import annotations

import contextlib
import os
import plistlib
import shlex
import shutil
import sys
from pathlib import Path

from deskhand.core.errors import SetupError

RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
VALUE_NAME = "Deskhand"
AGENT_LABEL = "org.deskhand.app"


def launch_command() -> list[str]:
    """How to start the tray app from a login session: the installed script if there is one."""
    if getattr(sys, "frozen", False):  # a PyInstaller bundle: the executable is the app
        return [sys.executable]
    script = shutil.which("deskhand") or str(Path(sys.executable).with_name("deskhand"))
    if Path(script).exists():
        return [script]
    return [sys.executable, "-m", "deskhand.app.cli.main"]


def _xdg_entry() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "autostart" / "deskhand.desktop"


def _mac_agent() -> Path:
    return Path.home() / "Library" / "LaunchAgents" / f"{AGENT_LABEL}.plist"


def desktop_entry(command: list[str]) -> str:
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Name=Deskhand\n"
        "Comment=Local desktop agent (tray)\n"
        f"Exec={shlex.join(command)}\n"
        "Icon=deskhand\n"
        "Terminal=false\n"
        "X-GNOME-Autostart-enabled=true\n"
    )


def is_enabled() -> bool:
    if sys.platform == "win32":  # pragma: no cover - Windows only
        import winreg

        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
                winreg.QueryValueEx(key, VALUE_NAME)
            return True
        except OSError:
            return False
    if sys.platform == "darwin":  # pragma: no cover - macOS only
        return _mac_agent().exists()
    return _xdg_entry().exists()


def set_enabled(enabled: bool, command: list[str] | None = None) -> None:
    """Turn autostart on or off; raises SetupError with what to do if it cannot."""
    command = command or launch_command()
    try:
        if sys.platform == "win32":  # pragma: no cover - Windows only
            _set_windows(enabled, command)
        elif sys.platform == "darwin":  # pragma: no cover - macOS only
            _set_file(_mac_agent(), enabled, _launch_agent(command))
        else:
            _set_file(_xdg_entry(), enabled, desktop_entry(command).encode())
    except OSError as exc:
        raise SetupError(f"Tried to turn autostart {'on' if enabled else 'off'}, but {exc}.") from exc


def _set_file(path: Path, enabled: bool, content: bytes) -> None:
    if enabled:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    else:
        path.unlink(missing_ok=True)


def _launch_agent(command: list[str]) -> bytes:  # pragma: no cover - macOS only
    return plistlib.dumps({"Label": AGENT_LABEL, "ProgramArguments": command, "RunAtLoad": True})


def _set_windows(enabled: bool, command: list[str]) -> None:  # pragma: no cover - Windows only
    if sys.platform != "win32":
        raise OSError("the Windows registry exists only on Windows")
    import subprocess
    import winreg

    with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY, 0, winreg.KEY_SET_VALUE) as key:
        if enabled:
            winreg.SetValueEx(key, VALUE_NAME, 0, winreg.REG_SZ, subprocess.list2cmdline(command))
        else:
            with contextlib.suppress(FileNotFoundError):
                winreg.DeleteValue(key, VALUE_NAME)
