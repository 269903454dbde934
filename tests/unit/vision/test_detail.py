"""The ``detail`` setting: how many image tokens a screenshot costs, and where "high" applies."""

from __future__ import annotations

import pytest

from deskhand.app.model_choice import context_size, image_grid
from deskhand.app.store.config import Settings
from deskhand.core.geometry import Rect, Size, smart_resize
from deskhand.vision.dialects import DIALECT_NAMES, dialect_for
from deskhand.vision.dialects.common import QWEN25_GRID
from deskhand.vision.dialects.qwen3 import QWEN3_GRID
from deskhand.vision.imaging import HIGH_DETAIL_MAX_PIXELS, detail_grid, image_tokens

HD = Size(1920, 1080)
MONITOR = Rect(0, 0, 1920, 1080)


def test_normal_detail_is_about_1200_tokens_at_1080p() -> None:
    assert detail_grid(QWEN25_GRID, "normal") == QWEN25_GRID
    assert smart_resize(HD, QWEN25_GRID) == Size(1316, 728)
    assert image_tokens(HD, QWEN25_GRID) == 1222
    assert image_tokens(HD, QWEN3_GRID) == 1222  # 1504x832 on the factor-32 grid


def test_high_detail_is_2000_to_2600_tokens_within_the_runtime_cap() -> None:
    high25, high3 = detail_grid(QWEN25_GRID, "high"), detail_grid(QWEN3_GRID, "high")
    assert smart_resize(HD, high3) == Size(1920, 1088)
    assert image_tokens(HD, high3) == 2040
    assert smart_resize(HD, high25) == Size(1904, 1064)
    assert image_tokens(HD, high25) == 2584
    for grid in (high25, high3):
        size = smart_resize(HD, grid)
        assert size.width * size.height <= HIGH_DETAIL_MAX_PIXELS
        assert size.width % grid.factor == 0 and size.height % grid.factor == 0
    with pytest.raises(ValueError, match="detail"):
        detail_grid(QWEN25_GRID, "ultra")


@pytest.mark.parametrize("name", DIALECT_NAMES)
def test_high_detail_only_where_the_coordinate_frame_cannot_shift(name: str) -> None:
    dialect = dialect_for("m", override=name)
    grid = image_grid(dialect, "high")
    if name in ("qwen2.5-vl", "ui-tars"):
        # Their coordinates are pixels of the runtime's own resize, whose cap older Ollama
        # versions kept at 1280 tokens: a bigger image would move every click.
        assert grid == dialect.grid
    else:
        assert grid.max_pixels == HIGH_DETAIL_MAX_PIXELS
    assert image_grid(dialect, "normal") == dialect.grid


def test_context_grows_so_three_high_detail_shots_fit() -> None:
    assert context_size(8192, MONITOR, QWEN25_GRID) == 8192  # 3 x 1222 + text fits
    high = context_size(8192, MONITOR, detail_grid(QWEN25_GRID, "high"))
    assert high >= 3 * 2584 + 4096 and high % 1024 == 0
    assert context_size(32768, MONITOR, detail_grid(QWEN25_GRID, "high")) == 32768


def test_detail_setting_is_validated() -> None:
    assert Settings().detail == "normal"
    assert Settings(detail="high").detail == "high"
    with pytest.raises(ValueError, match="detail"):
        Settings(detail="max")  # type: ignore[arg-type]
