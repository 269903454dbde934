"""``deskhand doctor``: is everything a task needs in place?  A table and an exit code."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from deskhand.app.config import load_settings
from deskhand.app.wiring import resolve_host, resolve_model
from deskhand.core.errors import DeskhandError
from deskhand.vision.capture import MssScreen, list_monitors
from deskhand.vision.dialects import dialect_for
from deskhand.vision.ollama_model import OllamaModel


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def _display() -> str:
    monitors = list_monitors()
    shown = ", ".join(f"{m.width}x{m.height}+{m.x}+{m.y}" for m in monitors)
    where = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or "native"
    return f"{where}: {len(monitors)} monitor(s) {shown}"


def _capture(model_name: str) -> str:
    monitor = list_monitors()[0]
    screen = MssScreen(monitor, dialect_for(model_name).grid)
    start = time.perf_counter()
    obs = screen.observe()
    ms = (time.perf_counter() - start) * 1000
    screen.close()
    w, h = obs.geometry.image_size
    return f"{monitor.width}x{monitor.height} → {w}x{h} JPEG {len(obs.image) // 1024} KiB in {ms:.0f} ms"


def _input() -> str:
    from deskhand.actions.gui import input_status  # imports pyautogui: only when checked

    return input_status()


def run_doctor(args: argparse.Namespace) -> int:
    settings = load_settings()
    host = resolve_host(args.host, settings)
    checks: list[Check] = []

    def check(name: str, probe: Callable[[], str]) -> bool:
        try:
            checks.append(Check(name, True, probe()))
        except DeskhandError as exc:
            checks.append(Check(name, False, str(exc)))
        except (OSError, ImportError) as exc:
            checks.append(Check(name, False, f"{type(exc).__name__}: {exc}"))
        return checks[-1].ok

    model_name: list[str] = []

    def server() -> str:
        client = OllamaModel(host=host, model="")
        return f"{host}: Ollama {client.server_version()}"

    def model() -> str:
        name = resolve_model(getattr(args, "model", None), settings, host)
        model_name.append(name)
        OllamaModel(host=host, model=name).check()
        return f"{name} (vision, dialect {dialect_for(name, settings.dialect).name})"

    if check("display", _display):
        check("capture", lambda: _capture(model_name[0] if model_name else ""))
        check("input", _input)
    if check("ollama", server):
        check("model", model)
    width = max(len(c.name) for c in checks)
    for c in checks:
        sys.stdout.write(f"{c.name:<{width}}  {'ok  ' if c.ok else 'FAIL'}  {c.detail}\n")
    failed = [c for c in checks if not c.ok]
    sys.stdout.write("all checks passed\n" if not failed else f"{len(failed)} check(s) failed\n")
    return 0 if not failed else 2
