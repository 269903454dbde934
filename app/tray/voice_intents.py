"""What voice may ask of the tray app: the doors a click, a key or the stop bar use.

Voice holds this interface, not the app object, so a spoken word can reach only what is
named here -- open the command bar and fill it, stop the running task, tell the user --
and a change inside the app does not reach into voice.  The app (``controller.DeskhandApp``)
provides it as it is; tests may provide it with a smaller object.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from deskhand.app.store.config import Settings
    from deskhand.app.tray.qt_approver import DialogHost
    from deskhand.app.windows.command_bar import CommandBar

__all__ = ["TaskState", "VoiceIntents"]


class TaskState(Protocol):
    """Whether a task runs, and a call when that (or anything else about it) changes."""

    @property
    def running(self) -> bool: ...

    def subscribe(self, listener: Callable[[], None]) -> None: ...


class VoiceIntents(Protocol):
    @property
    def session(self) -> TaskState: ...

    @property
    def command_bar(self) -> CommandBar: ...

    @property
    def dialogs(self) -> DialogHost: ...  # its ``opened`` signal: a confirmation to answer

    @property
    def settings(self) -> Callable[[], Settings]: ...

    @property
    def notify(self) -> Callable[[str, str, bool], None]: ...  # title, message, is_error

    def open_command_bar(self) -> None: ...

    def stop(self) -> None: ...
