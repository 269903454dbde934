"""Model families as data: which dialect, frame, grid and prompt a model name gets.

One immutable table, read by dialect selection (``family_for``), by the wiring (which grid
screenshots go on, whether a "high" detail is safe, the context size) and by the model
server limits (whether the dialect's frame follows the server's pixel budget).  Before it,
the same facts lived as model-name strings in three places.

A row is added only from the family's own model card or reference code (``card``): its
output format decides the dialect, its coordinate convention the frame.  Names are matched
case-insensitively as substrings, in table order (UI-TARS-1.5 is a Qwen2.5-VL fine-tune and
may say so in its name, so it comes first).  An unknown model gets the JSON dialect.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from deskhand.core.errors import UsageError
from deskhand.core.geometry import Frame, Grid
from deskhand.core.ports import Dialect
from deskhand.core.tools import ToolSpec
from deskhand.vision.dialects.common import QWEN25_GRID
from deskhand.vision.dialects.holo import HoloDialect
from deskhand.vision.dialects.json_schema import JsonDialect
from deskhand.vision.dialects.qwen3 import QWEN3_GRID, Qwen3Dialect
from deskhand.vision.dialects.qwen25 import Qwen25Dialect
from deskhand.vision.dialects.ui_tars import UiTarsDialect

__all__ = ["DIALECT_NAMES", "FAMILIES", "Family", "dialect_for", "family_for"]

_DialectClass = type[JsonDialect] | type[UiTarsDialect] | type[Qwen25Dialect] | type[HoloDialect]
_DIALECTS: dict[str, _DialectClass] = {
    "json": JsonDialect,
    "ui-tars": UiTarsDialect,
    "qwen2.5-vl": Qwen25Dialect,
    "qwen3-vl": Qwen3Dialect,
    "holo": HoloDialect,
}
DIALECT_NAMES = tuple(_DIALECTS)
# Dialects with a native way to offer extra tools (MCP servers'): Qwen's <tools> functions,
# the JSON dialect's and Holo's schemas.  UI-TARS's action grammar has none.
_WITH_TOOLS = frozenset({"json", "qwen2.5-vl", "qwen3-vl", "holo"})
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Family:
    """One model family: the names it goes by and how Deskhand talks to it."""

    name: str
    patterns: tuple[str, ...]  # lower-case substrings of the model name
    dialect: str  # a key of DIALECT_NAMES: output grammar, prompt and frame
    grid: Grid  # sides' factor and pixel budget screenshots are sent at
    prompt: str  # whose prompt the dialect sends
    card: str  # where the format and coordinate convention were read

    @property
    def frame(self) -> Frame:
        """What the family's coordinates are measured in (its dialect's frame)."""
        return _DIALECTS[self.dialect].frame

    def matches(self, model_name: str) -> bool:
        name = model_name.lower()
        return any(pattern in name for pattern in self.patterns)

    def build(self, grid: Grid | None = None, tools: Sequence[ToolSpec] = ()) -> Dialect:
        """The family's dialect, on ``grid`` (the grid screenshots go on) or its own,
        offering ``tools`` (of MCP servers) where the dialect has a way to."""
        make: Callable[..., Dialect] = _DIALECTS[self.dialect]
        if self.dialect in _WITH_TOOLS:
            return make(grid=grid or self.grid, tools=tuple(tools))
        if tools:
            log.info(
                "the %s dialect has no way to offer tools; %d MCP tools are not offered",
                self.dialect,
                len(tools),
            )
        return make(grid=grid or self.grid)


UNKNOWN = Family(
    name="any other vision model",
    patterns=(),
    dialect="json",
    grid=QWEN25_GRID,  # the most common backbone; costs nothing for the others
    prompt="Deskhand's JSON Decision schema",
    card="",
)
FAMILIES: tuple[Family, ...] = (
    Family(
        name="UI-TARS-1.5",
        patterns=("ui-tars", "uitars"),
        dialect="ui-tars",
        grid=QWEN25_GRID,
        prompt="UI-TARS-1.5 COMPUTER_USE template",
        card="https://github.com/bytedance/UI-TARS (codes/ui_tars/prompt.py)",
    ),
    Family(
        name="Qwen2.5-VL",
        patterns=("qwen2.5vl", "qwen2.5-vl"),
        dialect="qwen2.5-vl",
        grid=QWEN25_GRID,
        prompt="Qwen2.5-VL computer-use cookbook",
        card="https://github.com/QwenLM/Qwen2.5-VL (cookbooks/computer_use.ipynb)",
    ),
    Family(
        name="Qwen3-VL",
        patterns=("qwen3-vl", "qwen3vl"),
        dialect="qwen3-vl",
        grid=QWEN3_GRID,
        prompt="Qwen3-VL computer-use cookbook",
        card="https://github.com/QwenLM/Qwen3-VL (cookbooks/computer_use.ipynb)",
    ),
    # Built on Qwen3-VL; "GUI-Owl 1.5 outputs relative coordinates (0-1000) by default".
    Family(
        name="GUI-Owl-1.5",
        patterns=("gui-owl-1.5", "gui-owl1.5", "guiowl-1.5", "guiowl1.5"),
        dialect="qwen3-vl",
        grid=QWEN3_GRID,
        prompt="Qwen3-VL computer-use cookbook",
        card="https://github.com/X-PLUG/MobileAgent (Mobile-Agent-v3.5/README.md)",
    ),
    # A Qwen2.5-VL-7B fine-tune whose agent sends the computer_use tool with the screen's
    # resolution as the smart-resized image size (factor 28): absolute resized pixels.
    Family(
        name="Fara-7B",
        patterns=("fara-7b", "fara:7b", "fara7b"),
        dialect="qwen2.5-vl",
        grid=QWEN25_GRID,
        prompt="Qwen2.5-VL computer-use cookbook",
        card="https://huggingface.co/microsoft/Fara-7B; github.com/microsoft/fara (src/fara/_prompts.py)",
    ),
    # H Company's own agent format (not its Qwen3.5 base's): one JSON step object whose flat
    # "tool_call" names its tool, "x"/"y" integers in [0, 1000] of the image sent; the
    # documented contract is the same for Holo3 and Holo3.1 (structured outputs).
    Family(
        name="Holo3.1",
        patterns=("holo-3.1", "holo3.1", "holo3-", "holo-3-", "holo3:"),
        dialect="holo",
        grid=QWEN3_GRID,
        prompt="H Company agent loop (structured outputs)",
        card="https://hub.hcompany.ai/agent-loop; https://hub.hcompany.ai/element-localization",
    ),
)
# The family a bare --dialect stands for: the first row speaking it.
_CANONICAL = {name: next((f for f in FAMILIES if f.dialect == name), UNKNOWN) for name in DIALECT_NAMES}
_CANONICAL["json"] = UNKNOWN


def family_for(model_name: str, override: str | None = None) -> Family:
    """The family of a model: the one ``--dialect`` names, else the first whose name matches."""
    if override is not None:
        if override not in _CANONICAL:
            raise UsageError(
                f"Tried to use the model dialect {override!r}, but there is no such dialect; "
                f"choose one of {', '.join(DIALECT_NAMES)}."
            )
        return _CANONICAL[override]
    return next((family for family in FAMILIES if family.matches(model_name)), UNKNOWN)


def dialect_for(
    model_name: str,
    override: str | None = None,
    tools: Sequence[ToolSpec] = (),
    *,
    grid: Grid | None = None,
) -> Dialect:
    """The dialect for a model (``override`` if given), built on ``grid`` or its family's,
    offering ``tools`` (of MCP servers) where the dialect can."""
    return family_for(model_name, override).build(grid, tools)
