"""What the library packages export, as httpx checks its own: every public module says it.

``core``, ``vision``, ``actions`` and ``voice`` are what the app (and the MCP server, skills,
a planner) build on.  Each public module lists its names in ``__all__``; every listed name
exists, and every public class or function a module defines is listed -- so a new helper
is either exported on purpose or named ``_private``.  Every exception that leaves a package
is a ``DeskhandError`` (the CLI turns those into one line and an exit code) -- and so is
every exception defined anywhere, private ones included (``tests/unit/core/test_exception_tree.py``).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import ModuleType

import pytest

from deskhand.core.errors import DeskhandError

PACKAGES = ("deskhand.core", "deskhand.vision", "deskhand.actions", "deskhand.voice")


def _public(name: str) -> bool:
    return not any(part.startswith("_") for part in name.split(".")[1:])


def _modules() -> list[ModuleType]:
    """Every public package and module of ``PACKAGES``, sub-packages (``core.shellrisk``,
    ``vision.dialects``, ``vision.lookup``, ``vision.portal`` ...) included."""
    found = [importlib.import_module(name) for name in PACKAGES]
    for package in list(found):
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if _public(info.name):
                found.append(importlib.import_module(info.name))
    return found


MODULES = _modules()


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_every_public_module_says_what_it_exports(module: ModuleType) -> None:
    if hasattr(module, "__path__") and not hasattr(module, "__all__"):
        pytest.skip("a package without names of its own")
    exported = set(module.__all__)
    assert exported <= set(vars(module)), f"listed but missing: {exported - set(vars(module))}"
    defined = {
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and (inspect.isclass(value) or inspect.isfunction(value))
        and value.__module__ == module.__name__
    }
    assert defined <= exported, f"defined but not exported: {sorted(defined - exported)}"


def test_exceptions_that_leave_a_package_are_deskhand_errors() -> None:
    strays = []
    for module in [*MODULES, importlib.import_module("deskhand.vision.dialects.common")]:
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__ == module.__name__
            ):
                qualified = f"{module.__name__}.{name}"
                if not name.startswith("_") and not issubclass(value, DeskhandError):
                    strays.append(qualified)
    assert strays == []
