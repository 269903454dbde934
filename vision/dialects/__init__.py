"""Model dialects: one module per model family's prompt, coordinates and output grammar.

``dialect_for`` picks one from the model name (DESIGN.md, "Model dialects"), or takes the
user's ``--dialect``.  Adding a family means a new module and an entry in ``_DIALECTS``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from deskhand.core.errors import UsageError
from deskhand.core.ports import Dialect
from deskhand.core.tools import ToolSpec
from deskhand.vision.dialects.json_schema import JsonDialect
from deskhand.vision.dialects.qwen3 import Qwen3Dialect
from deskhand.vision.dialects.qwen25 import Qwen25Dialect
from deskhand.vision.dialects.ui_tars import UiTarsDialect

__all__ = [
    "DIALECT_NAMES",
    "JsonDialect",
    "Qwen3Dialect",
    "Qwen25Dialect",
    "UiTarsDialect",
    "dialect_for",
]

DIALECT_NAMES = ("json", "ui-tars", "qwen2.5-vl", "qwen3-vl")

log = logging.getLogger(__name__)

_DIALECTS: dict[str, Callable[[], Dialect]] = {
    "json": JsonDialect,
    "ui-tars": UiTarsDialect,
    "qwen2.5-vl": Qwen25Dialect,
    "qwen3-vl": Qwen3Dialect,
}
# Dialects with a native way to offer extra tools (MCP servers'): Qwen's <tools> functions,
# the JSON dialect's schema.  UI-TARS's action grammar has none.
_WITH_TOOLS: dict[str, Callable[[Sequence[ToolSpec]], Dialect]] = {
    "json": JsonDialect,
    "qwen2.5-vl": Qwen25Dialect,
    "qwen3-vl": Qwen3Dialect,
}
# Checked in order: UI-TARS-1.5 is a Qwen2.5-VL fine-tune and may say so in its name.
_NAME_HINTS = (
    (("ui-tars", "uitars"), "ui-tars"),
    (("qwen2.5vl", "qwen2.5-vl"), "qwen2.5-vl"),
    (("qwen3-vl", "qwen3vl"), "qwen3-vl"),
)


def dialect_for(model_name: str, override: str | None = None, tools: Sequence[ToolSpec] = ()) -> Dialect:
    """The dialect for a model: ``override`` if given, else chosen from the model's name,
    offering ``tools`` (of MCP servers) where the dialect has a way to."""
    chosen = _choose(model_name, override)
    if tools and chosen in _WITH_TOOLS:
        return _WITH_TOOLS[chosen](tools)
    if tools:
        log.info("the %s dialect has no way to offer tools; %d MCP tools are not offered", chosen, len(tools))
    return _DIALECTS[chosen]()


def _choose(model_name: str, override: str | None) -> str:
    if override is not None:
        if override not in _DIALECTS:
            raise UsageError(
                f"Tried to use the model dialect {override!r}, but there is no such dialect; "
                f"choose one of {', '.join(DIALECT_NAMES)}."
            )
        return override
    name = model_name.lower()
    for hints, dialect in _NAME_HINTS:
        if any(hint in name for hint in hints):
            return dialect
    return "json"
