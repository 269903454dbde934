"""What the agent saw, and what it said about it, as frozen data."""

from __future__ import annotations

from dataclasses import dataclass, field

from deskhand.core.elements import Element
from deskhand.core.geometry import ImagePoint, ScreenGeometry

__all__ = ["Completion", "Conversation", "Observation", "Turn"]

# The cells of ``Observation.fingerprint`` (columns, rows): ~20x20 image pixels at 1080p.
FINGERPRINT_SIZE = (64, 36)


@dataclass(frozen=True, slots=True)
class Observation:
    """One screenshot, ready to send: the encoded image and where it came from.

    ``id`` names the screenshot; every decision is bound to it, and actions decided on it
    are mapped to the screen through ``geometry`` only.  ``fingerprint`` is a small
    greyscale thumbnail of the same picture (empty if unknown), so the loop can tell
    whether an action changed the screen without decoding JPEGs.  ``pointer`` is where
    Deskhand last put the pointer, in this image's pixels (None if unknown; see
    ``deskhand.core.pointer``).  ``context`` is text about the same screen for models that
    read text (the planner, ``deskhand.core.planning``).  ``elements`` are the active
    window's interactive elements the model is shown with it (empty when the list is off or
    cannot be trusted; see ``deskhand.core.elements``).
    """

    id: str
    image: bytes
    mime: str
    geometry: ScreenGeometry
    capture_ms: float
    encode_ms: float
    fingerprint: bytes = b""
    pointer: ImagePoint | None = None
    context: str = ""
    elements: tuple[Element, ...] = ()


@dataclass(frozen=True, slots=True)
class Turn:
    """One chat message; ``image`` is attached to user turns that carry a screenshot."""

    role: str  # "system" | "user" | "assistant" | "tool"
    text: str
    image: bytes | None = None


@dataclass(frozen=True, slots=True)
class Conversation:
    """A complete request for the model: messages plus an optional output JSON schema."""

    turns: tuple[Turn, ...]
    response_schema: dict[str, object] | None = None


@dataclass(frozen=True, slots=True)
class Completion:
    """The model's raw answer and what it cost."""

    text: str
    model_ms: float
    prompt_tokens: int | None = None
    output_tokens: int | None = None
    stats: dict[str, float] = field(default_factory=dict)
