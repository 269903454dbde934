"""`deskhand models` labels each model with the dialect (and family) a task would use."""

from __future__ import annotations

import pytest

from deskhand.app.cli.model_commands import dialect_label


@pytest.mark.parametrize(
    ("model", "override", "label"),
    [
        ("GUI-Owl-1.5-8B-Instruct", None, "qwen3-vl (GUI-Owl-1.5)"),
        ("fara:7b", None, "qwen2.5-vl (Fara-7B)"),
        ("ui-tars-1.5:7b", None, "ui-tars (UI-TARS-1.5)"),
        ("hf.co/Hcompany/Holo-3.1-4B-GGUF:Q4_K_M", None, "holo (Holo3.1)"),
        ("gemma4:e4b", None, "json"),  # no official computer-use format found (issue #17)
        ("llava:13b", None, "json"),
        ("ui-tars-1.5:7b", "json", "json"),  # the config's dialect wins, as for `do`
    ],
)
def test_models_command_labels_each_model_with_its_dialect(
    model: str, override: str | None, label: str
) -> None:
    assert dialect_label(model, override) == label
