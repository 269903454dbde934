"""What each server keeps of an image, the budget screenshots are sent at, and the metadata
readers: the numbers here are the contract with vLLM, llama-server, SGLang and LM Studio
(sources in ``deskhand.vision.server_limits``)."""

from __future__ import annotations

import pytest

from deskhand.app.backends import screen_grid
from deskhand.app.store.config import Settings
from deskhand.core.geometry import Size, smart_resize
from deskhand.vision.dialects import dialect_for
from deskhand.vision.dialects.common import QWEN25_GRID
from deskhand.vision.dialects.qwen3 import QWEN3_GRID
from deskhand.vision.imaging import image_tokens
from deskhand.vision.openai_meta import (
    lmstudio_vision,
    props_vision,
    served_model,
    server_kind,
    twins,
    vision_hint,
)
from deskhand.vision.openai_wire import formats_for, normalize_base_url
from deskhand.vision.server_limits import budget_grid, image_cap

HD = Size(1920, 1080)


def test_default_caps_per_server_and_family() -> None:
    assert image_cap("vllm", QWEN25_GRID) == 12_845_056  # HF preprocessor_config max_pixels
    assert image_cap("vllm", QWEN3_GRID) == 16_777_216  # size.longest_edge
    assert image_cap("llama.cpp", QWEN25_GRID) == 3_211_264  # 4096 tokens of 28x28
    assert image_cap("llama.cpp", QWEN3_GRID) == 4_194_304  # 4096 tokens of 32x32
    assert image_cap("lmstudio", QWEN25_GRID) == image_cap("llama.cpp", QWEN25_GRID)
    assert image_cap("sglang", QWEN25_GRID) == 16384 * 28 * 28
    assert image_cap("ollama", QWEN25_GRID) == 2 << 20
    assert image_cap("unknown", QWEN25_GRID) is None


@pytest.mark.parametrize("server", ["ollama", "vllm", "llama.cpp", "lmstudio", "sglang", "unknown"])
@pytest.mark.parametrize("grid", [QWEN25_GRID, QWEN3_GRID])
def test_the_default_budget_is_about_1200_tokens_on_every_server(server: str, grid: object) -> None:
    fitted = budget_grid(grid, server)  # type: ignore[arg-type]
    assert fitted == grid  # no server keeps fewer pixels than the family's budget
    assert image_tokens(HD, fitted) == 1222


def test_a_server_that_keeps_fewer_pixels_lowers_the_budget() -> None:
    small = QWEN25_GRID.model_copy(update={"max_pixels": 4096 * 28 * 28})
    assert budget_grid(small, "llama.cpp") == small
    tiny = budget_grid(QWEN25_GRID.model_copy(update={"max_pixels": 8 << 20}), "llama.cpp")
    assert tiny.max_pixels == 3_211_264


def test_the_setting_wins_and_stays_on_the_grid() -> None:
    fitted = budget_grid(QWEN25_GRID, "vllm", override=2_000_000)
    assert fitted.max_pixels == 2_000_000
    size = smart_resize(HD, fitted)
    assert size.width % 28 == 0 and size.height % 28 == 0 and size.width * size.height <= 2_000_000
    assert budget_grid(QWEN25_GRID, "vllm", override=100).max_pixels == QWEN25_GRID.min_pixels


def test_a_larger_budget_moves_the_frame_of_dialects_that_follow_the_runtime() -> None:
    settings = Settings(max_image_pixels=2_000_000)

    for name in ("qwen2.5-vl", "ui-tars"):
        grid = screen_grid(dialect_for("m", override=name).grid, "vllm", settings)
        dialect = dialect_for("m", override=name, grid=grid)  # built on the grid sent, never changed
        sent = smart_resize(HD, grid)
        # vLLM keeps the image as sent, and the dialect maps back through the identity
        assert dialect.model_space(sent).extent == sent
    qwen3 = dialect_for("m", override="qwen3-vl")
    grid = screen_grid(qwen3.grid, "vllm", settings)
    assert grid.max_pixels == 2_000_000 and qwen3.grid == QWEN3_GRID  # relative: frame unchanged
    assert dialect_for("m", override="qwen3-vl", grid=grid).model_space(HD).extent == (1000, 1000)
    json = dialect_for("m", override="json")
    assert screen_grid(json.grid, "vllm", Settings()) == json.grid


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, "http://127.0.0.1:8000/v1"),
        ("gpu-box:8000", "http://gpu-box:8000/v1"),
        ("http://gpu-box:8000/", "http://gpu-box:8000/v1"),
        ("https://llm.example.com/openai/v1/", "https://llm.example.com/openai/v1"),
        ("http://[fd00::2]:8080/v1", "http://[fd00::2]:8080/v1"),
        ("HTTP://GPU:1234/v1", "http://gpu:1234/v1"),
    ],
)
def test_base_urls(given: str | None, expected: str) -> None:
    assert normalize_base_url(given) == expected


def test_response_formats_strongest_first() -> None:
    assert formats_for(None) == [None]
    kinds = [f["type"] if f else None for f in formats_for({"type": "object"})]
    assert kinds == ["json_schema", "json_object", None]


def test_server_kinds_from_owned_by() -> None:
    assert server_kind([{"owned_by": "vllm"}]) == "vllm"
    assert server_kind([{"owned_by": "llamacpp"}]) == "llama.cpp"
    assert server_kind([{"owned_by": "organization_owner"}]) == "lmstudio"
    assert server_kind([{"owned_by": "sglang"}]) == "sglang"
    assert server_kind([{"owned_by": "library"}]) == "ollama"
    assert server_kind([{"owned_by": "openai"}, {}]) == "unknown"


def test_vision_hints_from_each_servers_metadata() -> None:
    assert vision_hint({"id": "m"}) is None
    assert vision_hint({"id": "m", "capabilities": ["completion", "multimodal"]}) is True
    assert vision_hint({"id": "m", "capabilities": ["completion"]}) is False
    assert vision_hint({"id": "m", "capabilities": {"vision": True, "trained_for_tool_use": False}}) is True
    assert vision_hint({"id": "m", "architecture": {"input_modalities": ["text", "image"]}}) is True
    assert vision_hint({"id": "m", "architecture": {"input_modalities": ["text"]}}) is False
    assert vision_hint({"id": "m", "type": "vlm"}) is True
    body = {"data": [{"id": "q.gguf"}], "models": [{"model": "q.gguf", "capabilities": ["multimodal"]}]}
    assert vision_hint({"id": "q.gguf"}, twins(body).get("q.gguf")) is True
    assert props_vision({"modalities": {"vision": False, "audio": False}}) is False
    assert props_vision({"build_info": "b1"}) is None
    listing = {"data": [{"id": "a", "type": "llm"}, {"id": "b", "type": "vlm"}, {"id": "c"}]}
    assert lmstudio_vision(listing) == {"a": False, "b": True}
    assert lmstudio_vision({"error": "x"}) == {}


def test_served_model_reads_llama_server_meta() -> None:
    entry = {"id": "q", "owned_by": "llamacpp", "meta": {"n_params": 3_090_000_000, "size": 2_000_000_000}}
    model = served_model(entry, None, "llama.cpp")
    assert (model.parameter_size, model.size, model.vision) == ("3.1B", 2_000_000_000, None)
