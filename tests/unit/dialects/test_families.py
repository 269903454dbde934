"""The families table: old name-based selection kept exactly, new rows from model cards."""

from __future__ import annotations

import dataclasses
import itertools

import pytest

from deskhand.core.geometry import Frame, Size
from deskhand.vision.dialects import (
    DIALECT_NAMES,
    FAMILIES,
    JsonDialect,
    Qwen3Dialect,
    Qwen25Dialect,
    UiTarsDialect,
    dialect_for,
    family_for,
)
from deskhand.vision.dialects.common import QWEN25_GRID
from deskhand.vision.dialects.qwen3 import QWEN3_GRID

# The selection as it was before the table (vision/dialects/__init__.py), kept as the oracle.
_OLD_HINTS = (
    (("ui-tars", "uitars"), UiTarsDialect),
    (("qwen2.5vl", "qwen2.5-vl"), Qwen25Dialect),
    (("qwen3-vl", "qwen3vl"), Qwen3Dialect),
)
_OLD_ANY_IMAGE_SIZE = frozenset({"json", "qwen3-vl"})  # app/wiring.py
_NEW_DIALECTS = {"holo": Frame.RELATIVE}  # added with the table: not in the old lists
_OLD_FRAME_FOLLOWS_RUNTIME = frozenset({"qwen2.5-vl", "ui-tars"})  # app/backends.py


def old_selection(model_name: str) -> type:
    name = model_name.lower()
    for hints, dialect in _OLD_HINTS:
        if any(hint in name for hint in hints):
            return dialect
    return JsonDialect


_PREFIXES = ("", "hf.co/ByteDance-Seed/", "someone/", "avil/", "library/", "Qwen/", "ollama.com/x/")
_STEMS = (
    "ui-tars",
    "UI-TARS-1.5",
    "uitars",
    "UiTars",
    "qwen2.5vl",
    "Qwen2.5-VL",
    "qwen2.5-vl-instruct",
    "qwen3-vl",
    "QWEN3VL",
    "Qwen3-VL-8B-Instruct",
    "UI-TARS-qwen2.5vl",
    "qwen2.5vl-uitars",
    "qwen3-vl-ui-tars",
    "llava",
    "gemma3",
    "gemma4",
    "qwen2.5",
    "qwen3",
    "qwen2-vl",
    "minicpm-v",
    "llama3.2-vision",
    "moondream",
    "Holo2-8B",  # Holo3/3.1 got a row of their own; earlier Holo formats did not
    "qwen3.5",
    "",
)
_SUFFIXES = ("", ":7b", ":3b", "-7B-GGUF:Q4_K_M", ":30b-a3b", "-instruct:latest")
_NAMES = [p + s + t for p, s, t in itertools.product(_PREFIXES, _STEMS, _SUFFIXES)]


def test_selection_is_the_old_one_for_every_name_it_knew() -> None:
    sizes = (Size(1920, 1080), Size(2560, 1440), Size(1366, 768))
    for name in _NAMES:
        old, new = old_selection(name)(), dialect_for(name)
        assert (type(new), new.name, new.grid) == (type(old), old.name, old.grid), name
        assert all(new.model_space(s) == old.model_space(s) for s in sizes), name
    assert len(_NAMES) > 1000


def test_the_frame_is_the_one_the_two_name_lists_described() -> None:
    for name in DIALECT_NAMES:
        dialect = dialect_for("m", override=name)
        if name in _NEW_DIALECTS:
            assert dialect.frame == _NEW_DIALECTS[name] and not dialect.frame.follows_runtime
            continue
        assert dialect.frame.follows_runtime == (name in _OLD_FRAME_FOLLOWS_RUNTIME)
        assert (not dialect.frame.follows_runtime) == (name in _OLD_ANY_IMAGE_SIZE)


def test_each_family_speaks_a_known_dialect_in_its_dialect_s_frame() -> None:
    for family in FAMILIES:
        assert family.dialect in DIALECT_NAMES and family.card
        built = family.build()
        assert built.name == family.dialect and built.frame == family.frame and built.grid == family.grid
    names = [f.name for f in FAMILIES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize(
    ("model", "family", "dialect", "frame"),
    [
        ("mPLUG/GUI-Owl-1.5-8B-Instruct", "GUI-Owl-1.5", "qwen3-vl", Frame.RELATIVE),
        ("hf.co/mradermacher/GUI-Owl-1.5-2B-Instruct-GGUF:Q4_K_M", "GUI-Owl-1.5", "qwen3-vl", Frame.RELATIVE),
        ("microsoft/Fara-7B", "Fara-7B", "qwen2.5-vl", Frame.RESIZED),
        ("fara:7b", "Fara-7B", "qwen2.5-vl", Frame.RESIZED),
        ("hf.co/Hcompany/Holo-3.1-4B-GGUF:Q4_K_M", "Holo3.1", "holo", Frame.RELATIVE),
        ("Hcompany/Holo-3.1-35B-A3B", "Holo3.1", "holo", Frame.RELATIVE),
        ("holo3.1:9b", "Holo3.1", "holo", Frame.RELATIVE),
        ("Hcompany/Holo3-35B-A3B", "Holo3.1", "holo", Frame.RELATIVE),  # same documented contract
        ("Hcompany/Holo2-8B", "any other vision model", "json", Frame.SENT),  # Holo2: another format
        ("Hcompany/Holo1.5-7B", "any other vision model", "json", Frame.SENT),
        ("qwen3.5:9b", "any other vision model", "json", Frame.SENT),  # no official CU format found
        ("gemma4:e4b", "any other vision model", "json", Frame.SENT),  # idem
        ("mPLUG/GUI-Owl-7B", "any other vision model", "json", Frame.SENT),  # 1.0: not from a card here
        ("safari-helper:7b", "any other vision model", "json", Frame.SENT),
    ],
)
def test_2026_families_from_their_cards(model: str, family: str, dialect: str, frame: Frame) -> None:
    found = family_for(model)
    assert (found.name, found.dialect, found.frame) == (family, dialect, frame)
    assert dialect_for(model).name == dialect


def test_gui_owl_answers_in_thousandths_and_fara_in_resized_pixels() -> None:
    owl = dialect_for("GUI-Owl-1.5-8B-Instruct")
    assert owl.grid == QWEN3_GRID and owl.model_space(Size(1920, 1080)).extent == Size(1000, 1000)
    fara = dialect_for("Fara-7B")
    assert fara.grid == QWEN25_GRID and fara.model_space(Size(1288, 728)).extent == Size(1288, 728)


@pytest.mark.parametrize("name", DIALECT_NAMES)
def test_dialects_are_immutable_and_built_on_the_grid_given(name: str) -> None:
    dialect = dialect_for("m", override=name)
    with pytest.raises(dataclasses.FrozenInstanceError):
        dialect.grid = QWEN3_GRID  # type: ignore[misc]
    bigger = dialect.grid.model_copy(update={"max_pixels": 2_000_000})
    rebuilt = dialect_for("m", override=name, grid=bigger)
    assert rebuilt.grid == bigger and dialect.grid != bigger and rebuilt.name == name
