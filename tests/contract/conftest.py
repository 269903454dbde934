"""Contract tests: the real ``ollama`` client and ``OllamaModel`` against the fake server."""

from __future__ import annotations

import sys
from pathlib import Path

# ``tests.fakeollama`` must be importable; pytest's ``pythonpath = ["."]`` would make this a
# no-op (the repo root is not on sys.path when pytest runs as ``.venv/bin/pytest``).
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.fakeollama.fixtures import fake_ollama, fake_ollama_factory  # noqa: E402, F401
