"""The Qwen3-VL dialect: the same tool calls as Qwen2.5-VL, in relative 0-1000 coordinates.

Qwen3-VL's computer-use cookbook tells the model the screen is 1000x1000 and the model
answers in thousandths of each axis, whatever the image size; its action list adds
``triple_click``, ``hscroll`` and ``answer`` (which, like ``terminate``, ends the task).

The grid is where Qwen3-VL differs at the pixel level: patch 16 and merge 2, so sides are
multiples of 32.  Ollama's runtime (ollama/ollama model/models/qwen3vl/imageprocessor.go)
accepts 65,536 (64<<10) to 2,097,152 (2<<20, hard-coded below the model's own 16M because
a larger image overflows the default context) pixels, which would keep a 1920x1080 shot at
1920x1088 = 2,040 image tokens per screenshot.  We cap at 1280 tokens of 32x32 pixels
(1,310,720 pixels) instead -- the same token budget as Qwen2.5-VL on Ollama -- so 1080p is
sent as 1504x832 = 1,222 tokens; being under the runtime's cap and on its grid, the image
reaches the model unchanged.  Coordinates do not depend on the size anyway (relative).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from deskhand.core.geometry import Frame, Grid, ModelSpace, Size
from deskhand.vision.dialects.qwen25 import Qwen25Dialect

__all__ = ["QWEN3_FRAME", "QWEN3_GRID", "Qwen3Dialect"]

QWEN3_GRID = Grid(factor=32, min_pixels=64 << 10, max_pixels=1280 * 32 * 32)
QWEN3_FRAME = ModelSpace(extent=Size(1000, 1000))


@dataclass(frozen=True)
class Qwen3Dialect(Qwen25Dialect):
    """Qwen3-VL: ``<tool_call>`` JSON, coordinates in thousandths of the screenshot."""

    name: ClassVar[str] = "qwen3-vl"
    frame: ClassVar[Frame] = Frame.RELATIVE
    qwen3: ClassVar[bool] = True
    grid: Grid = QWEN3_GRID

    def model_space(self, image_size: Size) -> ModelSpace:
        return QWEN3_FRAME
