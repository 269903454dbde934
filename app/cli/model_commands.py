"""``deskhand models`` and ``deskhand pull NAME``."""

from __future__ import annotations

import argparse
import sys
import time

from deskhand.app.backends import open_model, resolve_backend
from deskhand.app.cli.terminal import one_line
from deskhand.app.model_choice import RECOMMENDED_MODEL, resolve_host
from deskhand.app.store.config import load_settings
from deskhand.core.errors import UsageError
from deskhand.vision.dialects import family_for
from deskhand.vision.ollama_model import OllamaModel


def _size(num_bytes: int | None) -> str:
    if not num_bytes:
        return "-"
    return f"{num_bytes / 1e9:.1f} GB"


def dialect_label(model_name: str, override: str | None = None) -> str:
    """The dialect a task with this model would speak, and the family that chose it.

    "qwen3-vl (GUI-Owl-1.5)"; just "json" for a model of no known family; the config's
    ``dialect`` wins as it does for ``do``.
    """
    family = family_for(model_name, override)
    if override is not None or not family.patterns:
        return family.dialect
    return f"{family.dialect} ({family.name})"


def run_models(args: argparse.Namespace) -> int:
    settings = load_settings()
    backend = resolve_backend(args.backend, settings)
    host = resolve_host(args.host, settings, backend)
    with open_model(backend, host, "", settings) as server:
        models = server.list_models()
    # An OpenAI-compatible server may not say whether a model reads images: list it as unknown.
    # Names come from the server: printed as one_line, so they cannot steer the terminal.
    shown = [m for m in models if m.vision is not False or args.all]
    names = {m.name: one_line(m.name, None) for m in shown}
    if not shown:
        hint = f"Pull one with `deskhand pull {RECOMMENDED_MODEL}`."
        if backend == "openai":
            hint = "Serve one there (e.g. Qwen2.5-VL; llama-server also needs --mmproj)."
        sys.stdout.write(f"No vision models on {host}. {hint}\n")
        return 0
    width = max(len(n) for n in names.values())
    dialects = {m.name: dialect_label(m.name, settings.dialect) for m in shown}
    dialect_width = max(len("DIALECT"), *(len(d) for d in dialects.values()))
    sys.stdout.write(f"{'NAME':<{width}}  {'SIZE':>8}  {'PARAMS':>7}  {'DIALECT':<{dialect_width}}  VISION\n")
    for m in shown:
        vision = "unknown" if m.vision is None else "yes" if m.vision else "no"
        params = one_line(m.parameter_size or "-", 10)
        sys.stdout.write(
            f"{names[m.name]:<{width}}  {_size(m.size):>8}  {params:>7}  "
            f"{dialects[m.name]:<{dialect_width}}  {vision}\n"
        )
    if any(m.vision is None for m in shown):
        sys.stdout.write("unknown: the server does not say; `deskhand doctor --model NAME` tries an image.\n")
    return 0


class ProgressBar:
    """A one-line terminal progress bar for pull's layer-by-layer stream.

    Its line stays open (no newline) while it redraws; ``end`` closes it, so what comes
    next -- "pulled", or an error on stderr -- starts on a line of its own.
    """

    def __init__(self, width: int = 30) -> None:
        self.width = width
        self.last_status = ""
        self.last_draw = 0.0

    def __call__(self, status: str, completed: int | None, total: int | None) -> None:
        status = one_line(status, 40)  # the server's words
        now = time.monotonic()
        if total and completed is not None:
            if now - self.last_draw < 0.1 and completed < total:
                return
            filled = int(self.width * completed / total)
            bar = "#" * filled + "-" * (self.width - filled)
            sys.stdout.write(f"\r{status[:40]:<40} [{bar}] {100 * completed / total:5.1f}%")
        elif status != self.last_status:
            sys.stdout.write(("\n" if self.last_status else "") + status)
        self.last_status = status
        self.last_draw = now
        sys.stdout.flush()

    def end(self) -> None:
        if self.last_status:
            sys.stdout.write("\n")
            sys.stdout.flush()
            self.last_status = ""


def run_pull(args: argparse.Namespace) -> int:
    settings = load_settings()
    if resolve_backend(args.backend, settings) == "openai":
        raise UsageError(
            f"Tried to pull {args.name}, but pulling is Ollama's; an OpenAI-compatible server loads "
            "its models itself (e.g. `vllm serve MODEL`, `llama-server -m FILE.gguf`, LM Studio's "
            "model list). Load it there, or use --backend ollama."
        )
    host = resolve_host(args.host, settings, "ollama")
    bar = ProgressBar()
    try:
        OllamaModel(host=host, model=args.name).pull(args.name, bar)
    finally:
        bar.end()
    sys.stdout.write(f"pulled {one_line(args.name, None)}\n")
    return 0
