"""The executors' side of the approval gate."""

from __future__ import annotations

from deskhand.core.actions import Action
from deskhand.core.approval import Approved

__all__ = ["require_approved"]


def require_approved(approved: object) -> Approved[Action]:
    """Let only ``Approved`` through: the type is the proof that the policy gate was passed.

    Static typing already forbids anything else; this catches callers that bypass it
    (a plain action, a dict from a plugin) before a single event is sent.
    """
    if not isinstance(approved, Approved):
        raise TypeError(
            "Executors run only actions approved by deskhand.core.approval.approve(), "
            f"not {type(approved).__name__}."
        )
    return approved
