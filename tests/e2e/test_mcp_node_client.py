"""`deskhand mcp` with a client that is not ours: the official TypeScript SDK (node 20).

Slow and optional: the SDK is installed from the npm registry into a cache folder the
first time (``DESKHAND_NODE_CACHE``, default ~/.cache/deskhand-tests/node-mcp).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.xsession import XSession

pytestmark = [pytest.mark.desktop, pytest.mark.slow]

CLIENT = Path(__file__).parent / "node" / "client.mjs"
CACHE = Path(os.environ.get("DESKHAND_NODE_CACHE", Path.home() / ".cache" / "deskhand-tests" / "node-mcp"))


@pytest.fixture(scope="module")
def node_client() -> Path:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are not installed")
    if not (CACHE / "node_modules" / "@modelcontextprotocol" / "sdk").is_dir():
        CACHE.mkdir(parents=True, exist_ok=True)
        npm = ["npm", "install", "--no-audit", "--no-fund", "@modelcontextprotocol/sdk@1"]
        installed = subprocess.run(npm, cwd=CACHE, capture_output=True, text=True, timeout=300, check=False)
        if installed.returncode != 0:
            pytest.skip(f"could not install @modelcontextprotocol/sdk: {installed.stderr[-300:]}")
    shutil.copy(CLIENT, CACHE / CLIENT.name)
    return CACHE / CLIENT.name


def test_the_typescript_sdk_lists_calls_and_meets_the_policy(screen_768: XSession, node_client: Path) -> None:
    exe = str(Path(sys.executable).with_name("deskhand"))
    run = subprocess.run(["node", str(node_client), exe], env=screen_768.env, capture_output=True, text=True,
                         timeout=120, check=False)  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    tools = {t["name"]: t["readOnly"] for t in seen["tools"]}
    assert tools["screenshot"] is True and tools["run_shell"] is False and len(tools) == 8
    assert seen["shot"]["types"] == ["image", "text"] and not seen["shot"]["isError"]
    assert json.loads(seen["shot"]["text"])["width"] > 0
    assert not seen["shell"]["isError"] and "hello-from-node" in seen["shell"]["text"]
    assert seen["blocked"]["isError"] and "Blocked" in seen["blocked"]["text"]
