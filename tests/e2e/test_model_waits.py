"""How long `deskhand do` waits for a model server that stops answering mid-task.

The README promises: a silent server is noticed after ``first_token_timeout``, and from then
on the task gives up within ``model_wait_seconds`` -- the retries' own waits included --
with exit code 2.  (It once took 7 x 120 s with the defaults: every retry waited a whole
first-token timeout of its own.)
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import MODELS
from tests.e2e.xsession import XSession, wait_for
from tests.fakeollama import FakeOllama

pytestmark = pytest.mark.desktop

FIRST_TOKEN = 6.0
MODEL_WAIT = 6.0


@pytest.fixture
def screen(screen_768: XSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> XSession:
    config = tmp_path / "config.toml"
    config.write_text(f"first_token_timeout = {FIRST_TOKEN:g}\nmodel_wait_seconds = {MODEL_WAIT:g}\n")
    monkeypatch.setitem(screen_768.env, "DESKHAND_CONFIG", str(config))
    monkeypatch.setitem(screen_768.env, "DESKHAND_DATA_DIR", str(tmp_path / "data"))
    return screen_768


def test_a_server_gone_silent_mid_task_is_given_up_on_within_model_wait_seconds(screen: XSession) -> None:
    screen.start_form()
    with FakeOllama(models=MODELS) as server:
        # Step 1 clicks; from step 2 on the server takes each request and never answers.
        server.script([{"do": "click", "target": "Apply"}] + [{"do": "hang", "seconds": 120}] * 20)
        proc = subprocess.Popen(
            [str(Path(sys.executable).with_name("deskhand")), "do", "apply, then cancel",
             "--model", "qwen2.5vl:7b", "--host", server.url],
            env=screen.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        wait_for(lambda: len(server.chat_requests) >= 2, 30, "the request the server leaves unanswered")
        silent_since = time.monotonic()
        out, err = proc.communicate(timeout=120)
        took = time.monotonic() - silent_since
        retries = len(server.chat_requests) - 2
    assert proc.returncode == 2, out + err
    assert "Paused:" in err and f"waited {FIRST_TOKEN:g} s and no answer came" in err
    assert "Gave up after waiting 6 s for the model server" in err
    assert err.strip().splitlines()[-1].startswith("deskhand: error:")
    # Noticed after one first-token timeout, given up model_wait_seconds later: each retry's
    # wait for the first word counted against the pause (before: 4 retries x 6 s on top).
    assert took < FIRST_TOKEN + MODEL_WAIT + 10, (took, err)
    assert retries >= 1, err
