"""Exceptions for what must stop a task; everything the loop can survive is a value.

    DeskhandError
    ├── UsageError            bad flag, bad config value (exit 2)
    ├── SetupError            the environment cannot run a task (exit 2)
    │   ├── ModelUnavailable  model missing, model without vision
    │   │   └── ServerUnreachable  connection refused / not accepted (may come back)
    │   └── CaptureFailed     no display / monitor
    ├── ModelError            the server failed mid-task: HTTP 5xx, stream cut, timeout
    │   └── ModelRejected     the server refused the request itself (HTTP 4xx)
    ├── ExecutionFailed       an approved action could not be performed
    └── Stopped               the user pressed Stop (exit 3)

Every message is a full sentence: what was attempted, why it failed, what to do.

``transient`` says whether waiting may help: a server that is restarting, overloaded or
cut a stream will likely answer again, so the loop pauses and retries the step
(``deskhand.core.faults``); a missing model or a rejected request will not.
"""

from __future__ import annotations

__all__ = [
    "CaptureFailed",
    "DeskhandError",
    "ExecutionFailed",
    "ModelError",
    "ModelRejected",
    "ModelUnavailable",
    "ServerUnreachable",
    "SetupError",
    "Stopped",
    "UsageError",
]


class DeskhandError(Exception):
    """Base of every error Deskhand raises on purpose."""

    transient = False


class UsageError(DeskhandError):
    """The user asked for something malformed (flag, config value)."""


class SetupError(DeskhandError):
    """Something outside Deskhand must be fixed before a task can run."""


class ModelUnavailable(SetupError):
    """The model server cannot be reached or does not have a usable model."""


class ServerUnreachable(ModelUnavailable):
    """The model server did not take the connection: not started yet, or restarting."""

    transient = True


class CaptureFailed(SetupError):
    """The screen could not be captured."""


class ModelError(DeskhandError):
    """The model server failed while answering; the same task can be retried."""

    transient = True


class ModelRejected(ModelError):
    """The server refused the request as such (HTTP 4xx): asking again will not help."""

    transient = False


class ExecutionFailed(DeskhandError):
    """An approved action could not be carried out."""


class Stopped(DeskhandError):
    """The user asked to stop; raised at the next safe point."""

    def __init__(self, message: str = "Stopped by the user.") -> None:
        super().__init__(message)
