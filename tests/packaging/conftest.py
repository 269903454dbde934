"""Helpers for the packaging tests: load packaging/*.py by path, reuse the tray host fixtures.

packaging/ has no ``__init__.py`` on purpose (a package named ``packaging`` would shadow
PyPI's), so its modules are loaded from their files, the way the build scripts load them.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

# The real tray host, as the tray tests use it: openbox and trayer on pytest-xvfb's display.
from tests.ui.conftest import trayer, window_manager  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"


def load_packaging(name: str) -> ModuleType:
    key = f"deskhand_packaging_{name}"
    if key in sys.modules:
        return sys.modules[key]
    spec = importlib.util.spec_from_file_location(key, PACKAGING / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[key] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def project() -> ModuleType:
    return load_packaging("project")


@pytest.fixture(scope="session")
def build_linux() -> ModuleType:
    return load_packaging("build_linux")
