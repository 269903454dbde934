"""The fake model's grounding error and its answers to zoom requests, over real HTTP.

``miss`` is a fixed error in pixels of whatever image the request carried; a zoom request
(its text holds "Zoomed-in view:") answers the last step again without taking a new one,
finding the target anew in the crop it was sent.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest
from PIL import Image

from deskhand.core.observation import Conversation, Turn
from deskhand.vision.ollama_model import OllamaModel
from tests.fakeollama import FakeOllama
from tests.fakeollama.screens import Label, render
from tests.fakeollama.script import ScriptError

MODEL = "llava:7b"  # the JSON dialect: points in pixels of the image sent
SCREEN = render((1316, 728), (Label("OK", 0.5, 0.5, 14), Label("Cancel", 0.3, 0.2, 14)), fmt="PNG")


@pytest.fixture
def server() -> Iterator[FakeOllama]:
    with FakeOllama(models={MODEL: True}) as srv:
        yield srv


def click_at(srv: FakeOllama, image: bytes, text: str) -> tuple[float, float]:
    model = OllamaModel(host=srv.url, model=MODEL)
    answer = model.complete(Conversation(turns=(Turn("user", text, image),)), should_stop=lambda: False).text
    at = json.loads(answer)["actions"][0]["at"]
    return at["x"], at["y"]


def crop_around(centre: tuple[float, float], zoom: int = 4) -> tuple[bytes, tuple[float, float]]:
    """A crop of SCREEN around ``centre``, enlarged ``zoom`` times, and its top-left corner."""
    width, height = 1316 // zoom, 728 // zoom
    left, top = round(centre[0] - width / 2), round(centre[1] - height / 2)
    with Image.open(io.BytesIO(SCREEN.data)) as image:
        crop = image.crop((left, top, left + width, top + height)).resize((width * zoom, height * zoom))
    out = io.BytesIO()
    crop.save(out, format="PNG")
    return out.getvalue(), (left, top)


def test_a_fixed_error_in_image_pixels_shrinks_in_a_zoomed_crop(server: FakeOllama) -> None:
    server.script([{"do": "click", "target": "OK", "miss": [0, -9]}, {"do": "finish"}])
    cx, cy = SCREEN.centres["OK"]
    x, y = click_at(server, SCREEN.data, "Task: click OK")
    assert abs(x - cx) <= 1 and abs(y - (cy - 9)) <= 1
    crop, (left, top) = crop_around((cx, cy + 20))  # the crop is not centred on the target
    zx, zy = click_at(server, crop, "Task: click OK\n\nZoomed-in view: a part of the screen, enlarged")
    assert abs((left + zx / 4) - cx) <= 1 and abs((top + zy / 4) - (cy - 9 / 4)) <= 1  # 9 px / 4
    assert server.remaining_steps == 1  # the zoom request took no step: "finish" is still next
    assert [r.step["target"] for r in server.requests if r.step] == ["OK", "OK"]  # type: ignore[index]


def test_a_zoom_request_before_any_step_is_an_error(server: FakeOllama) -> None:
    server.script([{"do": "finish"}])
    model = OllamaModel(host=server.url, model=MODEL)
    with pytest.raises(Exception, match="no step left"):
        model.complete(
            Conversation(turns=(Turn("user", "Zoomed-in view:", SCREEN.data),)), should_stop=lambda: False
        )


def test_miss_must_be_two_numbers(server: FakeOllama) -> None:
    with pytest.raises(ScriptError, match="miss"):
        server.script([{"do": "click", "target": "OK", "miss": 9}])


def test_a_step_with_an_explicit_point_gives_up_on_a_zoom_request(server: FakeOllama) -> None:
    server.script([{"do": "click", "at": [100, 100]}])
    assert click_at(server, SCREEN.data, "Task: click") == (100, 100)
    model = OllamaModel(host=server.url, model=MODEL)
    turn = Turn("user", "Zoomed-in view: a part of the screen", SCREEN.data)
    answer = json.loads(model.complete(Conversation(turns=(turn,)), should_stop=lambda: False).text)
    assert answer["actions"][0]["kind"] == "finish" and answer["actions"][0]["success"] is False
