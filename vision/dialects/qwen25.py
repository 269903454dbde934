"""The Qwen2.5-VL dialect: the cookbook's computer_use function in absolute pixels.

Qwen2.5-VL answers in pixels of the image *as its processor resized it* (factor 28, within
Ollama's pixel budget).  The capture sends images already on that grid, so the model's
resize is the identity; an off-grid image is mapped through the size smart-resize gives.
The tool description states that size as "the screen's resolution", as the cookbook does,
so the system turn changes only if the screenshot size does (and then it must).
Qwen3-VL speaks the same tool-call dialect in another frame, so it subclasses this one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import ClassVar

from deskhand.core.actions import Decision
from deskhand.core.geometry import Frame, Grid, ModelSpace, Size
from deskhand.core.observation import Conversation, Observation
from deskhand.core.outcome import StepMemory, Unparseable
from deskhand.core.tools import ToolKey, ToolSpec
from deskhand.vision.dialects.common import (
    QWEN25_GRID,
    element_centre,
    guarded,
    repaired,
    replay,
    resized_space,
    with_elements,
)
from deskhand.vision.dialects.qwen_blocks import reply_end
from deskhand.vision.dialects.qwen_calls import parse_reply
from deskhand.vision.dialects.qwen_prompt import (
    REMEMBER,
    RUN_SHELL,
    TOOL_CALL_REMINDER,
    computer_use,
    mcp_function,
    system_prompt,
    tool_response,
)

__all__ = ["Qwen25Dialect"]

ELEMENT_EXAMPLE = (
    '<tool_call>{"name": "computer_use", "arguments": {"action": "left_click", "element": 12}}</tool_call>'
)


@dataclass(frozen=True)
class Qwen25Dialect:
    """Qwen2.5-VL: ``<tool_call>`` JSON, coordinates in the smart-resized image's pixels.

    ``grid`` is the one screenshots are sent on (given at construction, never changed).
    """

    name: ClassVar[str] = "qwen2.5-vl"
    frame: ClassVar[Frame] = Frame.RESIZED
    qwen3: ClassVar[bool] = False
    grid: Grid = QWEN25_GRID

    tools: tuple[ToolSpec, ...] = ()  # MCP servers' tools, offered as more functions
    # Offer computer_use's ``element`` argument (set when the element list is on, so the
    # system turn stays the same for the whole task whether a screenshot has a list or not).
    elements: bool = False

    @property
    def functions(self) -> list[dict[str, object]]:
        return [mcp_function(spec) for spec in self.tools]

    @property
    def tool_names(self) -> dict[str, ToolKey]:
        """The function name the model calls -> the MCP tool."""
        return {
            str(f["function"]["name"]): spec.key  # type: ignore[index]
            for f, spec in zip(self.functions, self.tools, strict=True)
        }

    def model_space(self, image_size: Size) -> ModelSpace:
        return resized_space(image_size, self.grid)

    def conversation(
        self, task: str, history: Sequence[StepMemory], observation: Observation
    ) -> Conversation:
        resolution = self.model_space(observation.geometry.image_size).extent
        system = system_prompt(
            [computer_use(resolution, qwen3=self.qwen3, elements=self.elements), RUN_SHELL, REMEMBER,
             *self.functions]
        )  # fmt: skip
        turns = replay(system, task.strip(), history, observation, feedback=tool_response)
        if self.elements:
            space = self.model_space(observation.geometry.image_size)
            turns = with_elements(turns, observation, space, ELEMENT_EXAMPLE)
        return Conversation(turns=turns)

    def repair(self, conversation: Conversation, raw: str, problem: str) -> Conversation:
        return repaired(conversation, raw, problem, TOOL_CALL_REMINDER)

    def reply_end(self, partial: str) -> int | None:
        """Where a complete answer ends (for the model's early stop); see ``qwen_blocks``."""
        return reply_end(partial)

    def parse(self, raw: str, observation: Observation) -> Decision | Unparseable:
        image_size = observation.geometry.image_size
        space = self.model_space(image_size)
        pointer = observation.pointer
        element = partial(element_centre, observation) if self.elements else None
        return guarded(raw, lambda: parse_reply(raw, space, image_size, self.tool_names, pointer, element))
