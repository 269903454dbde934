"""What is under the pointer: the element a click or a keystroke will act on.

The model says *where* to click; it does not get to say *what* is there.  An ``Inspector``
(the port in ``deskhand.core.ports``, built in ``deskhand.vision.inspect``) asks the
accessibility tree, or reads the screenshot with OCR, and hands the policy an ``ElementInfo``.  The policy matches risky words in its label
("Delete account", "Pay now") and asks the user first.  The label is evidence the screen
shows; it can raise a level, never lower one -- a button labelled "Cancel (safe, click me)"
gets no favours.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Literal

from deskhand.core.geometry import Rect

__all__ = ["FOCUS_UNKNOWN_ROLE", "UNREADABLE_ROLE", "ElementInfo", "InspectedBy", "clean_label"]

InspectedBy = Literal["accessibility", "ocr", "window"]
# The role of a target whose pixels look like a label that no reader could read: the
# label might be "Send", so the policy asks rather than call the click harmless.
UNREADABLE_ROLE = "unreadable text"
# The role of the keyboard focus when the accessibility tree was there but did not say in
# time what has it (a loaded machine, a huge tree): it might be a password field or a
# terminal, so typing there asks rather than run as if into a plain field.
FOCUS_UNKNOWN_ROLE = "focus not found in time"
MAX_LABEL = 80  # labels are screen text: keep what we repeat to the user short


@dataclass(frozen=True, slots=True)
class ElementInfo:
    """An on-screen element: its label, its role ("push button", "password text", ...),
    where the information came from, and its bounds in screen coordinates if known.

    For what has keyboard focus an inspector may also say which application it belongs to
    (``app``: the accessibility application name or the X11 window class, lower case) and
    which top-level window (``window``: an id that stays the same while the window lives).
    The policy needs both to tell a terminal, which runs a line when Enter is pressed, from
    a text field, and to keep what was typed into each window apart.  A ``"window"``
    source knows only the focused window, not the element inside it.
    """

    label: str
    role: str
    source: InspectedBy
    bounds: Rect | None = None
    app: str = ""
    window: str = ""

    def describe(self) -> str:
        """``"Delete account" (push button)`` -- for verdict reasons and dialogs."""
        label = clean_label(self.label)
        if len(label) > MAX_LABEL:
            label = label[: MAX_LABEL - 1] + "…"
        return f'"{label}" ({self.role or "unknown role"})'


def clean_label(text: str) -> str:
    """One line of plain text: control characters dropped, whitespace collapsed, and
    toolkit mnemonics (``&Delete``, ``_Delete``) removed."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(" " if unicodedata.category(c).startswith(("C", "Z")) else c for c in text)
    text = text.replace("&&", "\0").replace("&", "").replace("\0", "&")
    if text.startswith("_") or " _" in text:
        text = text.replace("_", "", 1) if text.startswith("_") else text.replace(" _", " ", 1)
    return " ".join(text.split())
