"""Which dialects can be told of the element list, and turning that on for one.

The list itself travels with each screenshot (``deskhand.core.elements``); a dialect whose
family has a way to name an element -- the JSON ``Decision``'s ``element`` field, the Qwen
``computer_use`` function's ``element`` argument -- shows it and reads element numbers.
UI-TARS's action grammar has none: it keeps answering in pixels, and snapping and zoom
still help it.  The Qwen dialects offer the argument from the first turn of a task
(``elements``), so their system turn does not change when a screenshot has no list.
"""

from __future__ import annotations

import dataclasses

from deskhand.core.ports import Dialect

__all__ = ["offering_elements"]


def offering_elements(dialect: Dialect, on: bool) -> Dialect:
    """``dialect`` offering the ``element`` argument where its family has one."""
    if not on or not dataclasses.is_dataclass(dialect):
        return dialect
    if "elements" not in {f.name for f in dataclasses.fields(dialect)}:
        return dialect
    return dataclasses.replace(dialect, elements=True)
