"""Every exception Deskhand defines is a ``DeskhandError`` (``core/errors.py``'s tree).

So one ``except DeskhandError`` sees everything Deskhand raises on purpose, and anything
else reaching it is a bug.  Every module of the five packages is imported (none needs a
display to import) and each exception class defined in it is checked; a new bare
``Exception`` subclass fails here.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import ModuleType

import pytest

from deskhand.core.errors import DeskhandError

PACKAGES = ("deskhand.core", "deskhand.vision", "deskhand.actions", "deskhand.app", "deskhand.voice")


def _modules() -> list[ModuleType]:
    modules = []
    for name in PACKAGES:
        package = importlib.import_module(name)
        modules.append(package)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{name}."):
            modules.append(importlib.import_module(info.name))
    return modules


def _outside(module: ModuleType) -> list[str]:
    """The exception classes ``module`` defines (not imports) that are no DeskhandError."""
    return [
        value.__qualname__
        for value in vars(module).values()
        if inspect.isclass(value)
        and issubclass(value, BaseException)
        and value.__module__ == module.__name__
        and not issubclass(value, DeskhandError)
    ]


MODULES = _modules()


def test_every_module_of_the_five_packages_is_walked() -> None:
    names = {m.__name__ for m in MODULES}
    assert {"deskhand.core.errors", "deskhand.vision.model_errors", "deskhand.app.cli.main"} <= names
    assert {"deskhand.vision.inspect.atspi", "deskhand.actions.gui", "deskhand.voice.errors"} <= names
    assert len(names) > 150


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_exceptions_derive_from_deskhand_error(module: ModuleType) -> None:
    outside = _outside(module)
    assert outside == [], f"{module.__name__}: derive these from DeskhandError (core/errors.py): {outside}"


def test_the_check_sees_a_bare_exception() -> None:
    module = ModuleType("deskhand.core.example")
    module.Oops = type("Oops", (Exception,), {"__module__": module.__name__})  # type: ignore[attr-defined]
    module.Fine = type("Fine", (DeskhandError,), {"__module__": module.__name__})  # type: ignore[attr-defined]
    module.DeskhandError = DeskhandError  # type: ignore[attr-defined]  # imported: not its own
    module.ValueError = ValueError  # type: ignore[attr-defined]  # a builtin: not its own either
    assert _outside(module) == ["Oops"]
