"""One task per desktop: the lock every way of running a task takes first.

Two tasks driving one keyboard and pointer garble each other (two ``deskhand do`` on one
display typed into the same window, both "finished").  So ``deskhand do``, the tray app's
worker and the MCP server each run their task inside ``desktop_lock(purpose)``::

    with desktop_lock("deskhand do"):   # raises DesktopBusy if another task holds it
        run_task(...)

Why refuse rather than wait: a task queued behind another would start acting on a desktop
its user has moved on from; a clear refusal lets them choose.  ``DesktopBusy`` is a
``SetupError``, so the CLI prints its one line and exits 2; its message names the holder
(``purpose`` and pid).

How: an advisory ``flock`` (``msvcrt.locking`` on Windows) on a file named after the
desktop -- ``WAYLAND_DISPLAY``, else ``DISPLAY`` (screen number dropped), else the one
console desktop -- in the user's runtime dir (``XDG_RUNTIME_DIR``, else a private 0700
folder in the temp dir).  The kernel drops the lock when its holder dies, ``kill -9``
included, so a crash never leaves the desktop locked.  Locks are per open file: a second
``desktop_lock`` in the same process is refused like one in another process.
"""

from __future__ import annotations

import os
import re
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from deskhand.core.errors import SetupError

__all__ = ["DesktopBusy", "desktop_lock", "desktop_name", "lock_path"]

_HOLDER_LIMIT = 200  # bytes of "what holds it" read back from the file


class DesktopBusy(SetupError):
    """Another task (this or another process) is running on this desktop."""


def desktop_name() -> str:
    """The desktop tasks act on, e.g. ``:1`` or ``wayland-0``; ``console`` off Linux."""
    wayland = os.environ.get("WAYLAND_DISPLAY")
    if wayland:
        return wayland
    display = os.environ.get("DISPLAY", "")
    if display:
        # ":1.0", "unix:1" and ":1" are the same X server; "host:10" is another one.
        host, _, number = display.rpartition(":")
        return f"{'' if host == 'unix' else host}:{number.split('.')[0]}"
    return "console"


def lock_path(desktop: str | None = None) -> Path:
    """The lock file for ``desktop`` (default: this process's) in the user's runtime dir."""
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", desktop or desktop_name())
    return _runtime_dir() / f"desktop-{name}.lock"


def _runtime_dir() -> Path:
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and Path(runtime).is_dir():
        folder = Path(runtime) / "deskhand"
        folder.mkdir(mode=0o700, exist_ok=True)
        return folder
    uid = os.getuid() if hasattr(os, "getuid") else None
    folder = Path(tempfile.gettempdir()) / ("deskhand" if uid is None else f"deskhand-{uid}")
    folder.mkdir(mode=0o700, exist_ok=True)
    if uid is not None:
        info = folder.lstat()  # a shared temp dir: the folder must be ours, not a planted link
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != uid:
            raise SetupError(
                f"Tried to take the desktop lock in {folder}, but that folder belongs to someone else. "
                "Remove it, or set XDG_RUNTIME_DIR to a private folder."
            )
    return folder


@contextmanager
def desktop_lock(purpose: str) -> Iterator[None]:
    """Hold this desktop's task lock for the ``with`` block, or raise ``DesktopBusy`` at once.

    ``purpose`` names the holder for whoever is refused, e.g. "deskhand do".
    """
    desktop = desktop_name()
    path = lock_path(desktop)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise SetupError(
            f"Tried to take the task lock for desktop {desktop} at {path}, but {exc.strerror}. "
            "Check that folder's permissions (or set XDG_RUNTIME_DIR)."
        ) from exc
    try:
        if not _try_lock(fd):
            raise DesktopBusy(
                f"Tried to start a task on desktop {desktop}, but another task is running on this "
                f"desktop ({_holder(fd)}). Wait for it to end or stop it, then try again."
            )
        try:
            _write_holder(fd, f"{purpose}, pid {os.getpid()}")
            yield
        finally:
            _write_holder(fd, "")
            _unlock(fd)
    finally:
        os.close(fd)


def _holder(fd: int) -> str:
    os.lseek(fd, 0, os.SEEK_SET)
    text = os.read(fd, _HOLDER_LIMIT).decode("utf-8", "replace").strip()
    return "".join(c for c in text if c.isprintable()) or "it is starting or ending"


def _write_holder(fd: int, text: str) -> None:
    os.lseek(fd, 0, os.SEEK_SET)
    os.ftruncate(fd, 0)
    os.write(fd, text.encode("utf-8"))


if sys.platform == "win32":  # pragma: no cover - untested here
    import msvcrt

    _LOCKED_BYTE = 1 << 20  # Windows locks are mandatory: keep the holder's text readable

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, _LOCKED_BYTE, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, _LOCKED_BYTE, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
