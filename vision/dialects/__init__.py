"""Model dialects: one module per model family's prompt, coordinates and output grammar.

``dialect_for`` picks one from the model name through the families table
(``families.FAMILIES``; DESIGN.md, "Model dialects"), or takes the user's ``--dialect``.
Adding a family that speaks an existing dialect is a row in that table; a new output format
is a new module and an entry in ``families._DIALECTS``.
"""

from __future__ import annotations

from deskhand.core.geometry import Frame
from deskhand.vision.dialects.families import DIALECT_NAMES, FAMILIES, Family, dialect_for, family_for
from deskhand.vision.dialects.holo import HoloDialect
from deskhand.vision.dialects.json_schema import JsonDialect
from deskhand.vision.dialects.qwen3 import Qwen3Dialect
from deskhand.vision.dialects.qwen25 import Qwen25Dialect
from deskhand.vision.dialects.ui_tars import UiTarsDialect

__all__ = [
    "DIALECT_NAMES",
    "FAMILIES",
    "Family",
    "Frame",
    "HoloDialect",
    "JsonDialect",
    "Qwen3Dialect",
    "Qwen25Dialect",
    "UiTarsDialect",
    "dialect_for",
    "family_for",
]
