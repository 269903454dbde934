"""The installed product has no switches meant for tests.

A variable like ``DESKHAND_TEST_RESOLVE`` once made the privacy guard classify any host as any
address in an installed build: whoever could set the environment could turn the guard off.
Tests reach such seams from their own code (``tests/e2e/classified.py``) instead.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = ("core", "vision", "actions", "app", "voice")
HOOK = re.compile(r"DESKHAND_TEST|_TEST_[A-Z]+\b|PYTEST_CURRENT_TEST|\"pytest\" in sys\.modules")


def test_no_library_module_reads_a_test_hook() -> None:
    sources = [p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))]
    assert len(sources) > 50  # the packages were found
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sources
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if HOOK.search(line)
    ]
    assert found == []
