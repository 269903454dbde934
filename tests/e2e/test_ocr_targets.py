"""With no accessibility bus (plain X, no D-Bus session: as on Windows and macOS, where OCR is
the only reader), a click's label is read from the screen's full-resolution pixels.

A normal 9-pt "Send" button reads as something else in the downscaled image the model gets
(1080p is sent as 1316x728), so the click was judged harmless and ran.  Here it asks, the
step record names "Send", and with nobody answering the button is not pressed; a harmless
"Cancel" next to it still runs without asking.  ``deskhand doctor`` says so when labels
cannot be read at all.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from deskhand.core.geometry import Size
from deskhand.vision.dialects import dialect_for
from deskhand.vision.imaging import grid_size
from tests.e2e.xsession import XSession, deskhand, form_command, read_events, wait_for, x_session
from tests.fakeollama import FakeOllama

pytestmark = [
    pytest.mark.desktop,
    pytest.mark.skipif(shutil.which("tesseract") is None, reason="needs tesseract (apt: tesseract-ocr)"),
]

MODEL = "qwen2.5vl:7b"
SCREENS = [(1920, 1080), (2560, 1440)]


@pytest.fixture(scope="module", params=SCREENS, ids=lambda s: f"{s[0]}x{s[1]}")
def plain_x(request: pytest.FixtureRequest) -> Iterator[XSession]:
    """A desktop with no session bus, hence no accessibility tree."""
    width, height = request.param
    with x_session(width, height) as session:
        for name in ("DBUS_SESSION_BUS_ADDRESS", "AT_SPI_BUS_ADDRESS"):
            session.env.pop(name, None)
        yield session


def start_9pt_form(session: XSession) -> tuple[Path, dict[str, list[int]]]:
    log = session.tmp / f"form9-{len(session.processes)}.jsonl"
    session.start_app([*form_command(log, "center", "Send,Cancel"), "--point-size", "9"])
    wait_for(lambda: log.exists() and "ready" in log.read_text(), 20, "the 9-pt form")
    ready = next(e for e in read_events(log) if e["event"] == "ready")
    return log, ready["centres"]  # type: ignore[return-value]


def image_point(session: XSession, x: int, y: int) -> list[float]:
    """A screen point as the model sees it (the image sent, on the dialect's grid)."""
    sent = grid_size(Size(session.width, session.height), dialect_for(MODEL).grid)
    return [x * sent.width / session.width, y * sent.height / session.height]


def test_a_click_on_a_9pt_send_button_asks_and_unanswered_does_not_press_it(
    plain_x: XSession, ollama: FakeOllama
) -> None:
    log, centres = start_9pt_form(plain_x)
    trace = plain_x.tmp / f"trace-send-{plain_x.width}"
    ollama.script([
        {"do": "click", "at": image_point(plain_x, *centres["Send"])},
        {"do": "click", "at": image_point(plain_x, *centres["Cancel"])},
        {"do": "finish", "summary": "done"},
    ])  # fmt: skip
    r = deskhand(plain_x, "do", "send the form", "--model", MODEL, "--host", ollama.url,
                 "--trace", str(trace), stdin="")  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr
    steps = [json.loads(line) for line in (trace / "steps.jsonl").read_text().splitlines()]
    send, cancel = steps[0], steps[1]
    assert send["verdicts"][0]["level"] == "confirm", send
    assert '"Send"' in send["verdicts"][0]["reason"]
    assert send["targets"][0] is not None and "Send" in json.dumps(send["targets"][0]), send["targets"]
    assert "denied by the user" in str(send["outcome"])
    assert cancel["verdicts"][0]["level"] == "auto" and cancel["outcome"] == "executed", cancel
    assert "Cancel" in json.dumps(cancel["targets"][0])
    clicks = [e["button"] for e in read_events(log) if e["event"] == "click"]
    assert clicks == ["Cancel"]  # Send was never pressed


def test_doctor_warns_instead_of_all_passed_when_labels_cannot_be_read(
    plain_x: XSession, ollama: FakeOllama
) -> None:
    args = ("doctor", "--host", ollama.url, "--model", MODEL)
    good = deskhand(plain_x, *args)
    assert good.returncode == 0 and "all checks passed" in good.stdout, good.stdout + good.stderr
    no_data = plain_x.tmp / "no-tessdata"
    no_data.mkdir(exist_ok=True)
    env = dict(plain_x.env)
    plain_x.env["TESSDATA_PREFIX"] = str(no_data)  # tesseract runs, but can read nothing
    try:
        blind = deskhand(plain_x, *args)
    finally:
        plain_x.env = env
    assert blind.returncode == 0, blind.stdout + blind.stderr  # a warning, not a failure
    assert "all checks passed" not in blind.stdout
    row = next(line for line in blind.stdout.splitlines() if line.startswith("risk-checks"))
    assert "warn" in row and "labels cannot be read" in row, row
    assert blind.stdout.strip().splitlines()[-1] == "no check failed, but 1 warning(s): risk-checks"
