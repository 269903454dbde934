"""First thing the frozen app runs: give child processes the user's environment, not the bundle's.

PyInstaller's bootloader points ``LD_LIBRARY_PATH`` at the bundle (keeping the user's value in
``LD_LIBRARY_PATH_ORIG``), and its Qt run-time hook sets ``QT_PLUGIN_PATH`` and
``QML2_IMPORT_PATH`` (and on Windows prepends the bundle to ``PATH``).  Deskhand starts other
programs: the shell commands a task runs and the apps they open.  A system Qt or GTK app that
inherited those variables would load our copies of Qt's plugins and libraries and crash or
misbehave.  This process no longer needs them: the dynamic loader read ``LD_LIBRARY_PATH``
when the process started, and Qt finds its plugins through the ``qt.conf`` the hook embedded.

It runs from the generated launcher after PyInstaller's own run-time hooks (a custom run-time
hook would run *before* them and could not undo what they set).  Standard library only.
"""

from __future__ import annotations

import os
import sys
from collections.abc import MutableMapping

# Variables the bootloader or the Qt hook may set or extend with paths inside the bundle.
PATH_VARIABLES = (
    "LD_LIBRARY_PATH",
    "LIBPATH",
    "DYLD_LIBRARY_PATH",
    "QT_PLUGIN_PATH",
    "QML2_IMPORT_PATH",
    "PATH",
)


def _inside(path: str, root: str) -> bool:
    try:
        return os.path.commonpath([os.path.realpath(path), root]) == root
    except ValueError:  # different drives on Windows
        return False


def restore_environment(environ: MutableMapping[str, str] | None = None, bundle: str | None = None) -> None:
    """Put back the user's values (``*_ORIG``) or drop the bundle's entries from each variable."""
    env = os.environ if environ is None else environ
    root = bundle or getattr(sys, "_MEIPASS", None)
    if root is None:  # not frozen: nothing was changed
        return
    root = os.path.realpath(root)
    for name in PATH_VARIABLES:
        original = env.pop(f"{name}_ORIG", None)
        if original is not None:
            env[name] = original
            continue
        if name not in env:
            continue
        kept = [p for p in env[name].split(os.pathsep) if p and not _inside(p, root)]
        if kept:
            env[name] = os.pathsep.join(kept)
        else:
            del env[name]


def ensure_std_streams() -> None:
    """Give a windowed executable (Windows ``deskhandw.exe``) somewhere to write.

    PyInstaller's windowed bootloader starts Python with ``sys.stdout`` and ``sys.stderr``
    set to None; the app's "already running" notice and logging would then raise.
    """
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115 - lives as long as the process
