"""``deskhand models`` and ``deskhand pull NAME``."""

from __future__ import annotations

import argparse
import sys
import time

from deskhand.app.config import load_settings
from deskhand.app.wiring import RECOMMENDED_MODEL, resolve_host
from deskhand.vision.ollama_model import OllamaModel


def _size(num_bytes: int | None) -> str:
    if not num_bytes:
        return "-"
    return f"{num_bytes / 1e9:.1f} GB"


def run_models(args: argparse.Namespace) -> int:
    host = resolve_host(args.host, load_settings())
    models = OllamaModel(host=host, model="").list_models()
    shown = [m for m in models if m.vision or args.all]
    if not shown:
        sys.stdout.write(f"No vision models on {host}. Pull one with `deskhand pull {RECOMMENDED_MODEL}`.\n")
        return 0
    width = max(len(m.name) for m in shown)
    sys.stdout.write(f"{'NAME':<{width}}  {'SIZE':>8}  {'PARAMS':>7}  VISION\n")
    for m in shown:
        sys.stdout.write(
            f"{m.name:<{width}}  {_size(m.size):>8}  {m.parameter_size or '-':>7}  {'yes' if m.vision else 'no'}\n"
        )
    return 0


class ProgressBar:
    """A one-line terminal progress bar for pull's layer-by-layer stream."""

    def __init__(self, width: int = 30) -> None:
        self.width = width
        self.last_status = ""
        self.last_draw = 0.0

    def __call__(self, status: str, completed: int | None, total: int | None) -> None:
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


def run_pull(args: argparse.Namespace) -> int:
    host = resolve_host(args.host, load_settings())
    OllamaModel(host=host, model=args.name).pull(args.name, ProgressBar())
    sys.stdout.write(f"\npulled {args.name}\n")
    return 0
