"""Helpers for the packaging tests: load packaging/*.py by path, reuse the tray host fixtures.

packaging/ has no ``__init__.py`` on purpose (a package named ``packaging`` would shadow
PyPI's), so its modules are loaded from their files, the way the build scripts load them.

The slow bundle test records what it measures (sizes, build time, start-up times) with the
``bundle_report`` fixture; they are printed in pytest's terminal summary, so a CI log shows them.
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
BUNDLE_REPORT = pytest.StashKey[dict[str, str]]()


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


@pytest.fixture(scope="session")
def bundle_report(pytestconfig: pytest.Config) -> dict[str, str]:
    """Measurements to print at the end of the run: ``report["what"] = "value"``."""
    return pytestconfig.stash.setdefault(BUNDLE_REPORT, {})


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    rows = config.stash.get(BUNDLE_REPORT, {})
    if not rows:
        return
    terminalreporter.section("Linux bundle: size and start-up")
    width = max(map(len, rows))
    for what, value in rows.items():
        terminalreporter.write_line(f"{what:<{width}}  {value}")
