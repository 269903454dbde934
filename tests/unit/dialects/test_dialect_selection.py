"""Choosing a dialect from the model name, as DESIGN.md's table says, or from --dialect."""

from __future__ import annotations

import pytest

from deskhand.core.errors import UsageError
from deskhand.core.ports import Dialect
from deskhand.vision.dialects import (
    DIALECT_NAMES,
    HoloDialect,
    JsonDialect,
    Qwen3Dialect,
    Qwen25Dialect,
    UiTarsDialect,
    dialect_for,
)


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("ui-tars-1.5-7b", "ui-tars"),
        ("hf.co/ByteDance-Seed/UI-TARS-1.5-7B-GGUF:Q4_K_M", "ui-tars"),
        ("someone/uitars:7b", "ui-tars"),
        ("avil/UI-TARS-qwen2.5vl:7b", "ui-tars"),
        ("qwen2.5vl:7b", "qwen2.5-vl"),
        ("Qwen2.5-VL-7B-Instruct", "qwen2.5-vl"),
        ("qwen3-vl:8b", "qwen3-vl"),
        ("QWEN3VL:30b-a3b", "qwen3-vl"),
        ("holo3.1:4b", "holo"),
        ("hf.co/Hcompany/Holo-3.1-35B-A3B-GGUF:Q4_K_M", "holo"),
        ("llava:13b", "json"),
        ("gemma3:12b", "json"),
        ("qwen2.5:7b", "json"),
        ("qwen3:8b", "json"),
        ("", "json"),
    ],
)
def test_dialect_follows_the_model_name(model: str, expected: str) -> None:
    assert dialect_for(model).name == expected


@pytest.mark.parametrize("name", DIALECT_NAMES)
def test_override_wins_over_the_name(name: str) -> None:
    assert dialect_for("ui-tars-1.5-7b", override=name).name == name


def test_unknown_override_is_a_one_sentence_usage_error() -> None:
    with pytest.raises(UsageError) as caught:
        dialect_for("qwen2.5vl:7b", override="qwen2")
    message = str(caught.value)
    assert "'qwen2'" in message
    assert all(name in message for name in DIALECT_NAMES)
    assert message.endswith(".")
    assert message.count(". ") == 0 and "\n" not in message


def test_names_and_classes_line_up() -> None:
    dialects: list[Dialect] = [JsonDialect(), UiTarsDialect(), Qwen25Dialect(), Qwen3Dialect(), HoloDialect()]
    assert tuple(d.name for d in dialects) == DIALECT_NAMES


def test_the_cli_and_the_config_accept_every_dialect_and_no_other() -> None:
    """``--dialect`` and the config's ``dialect`` are spelled out where they are parsed (the CLI
    starts without importing the dialects); they must stay the table's names."""
    from typing import get_args

    from deskhand.app.cli.main import build_parser
    from deskhand.app.store.config import Settings

    do = build_parser()._subparsers._group_actions[0].choices["do"]  # type: ignore[union-attr]
    (option,) = [a for a in do._actions if "--dialect" in a.option_strings]
    assert tuple(option.choices) == DIALECT_NAMES
    literal = get_args(Settings.model_fields["dialect"].annotation)[0]
    assert get_args(literal) == DIALECT_NAMES
