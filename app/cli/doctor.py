"""``deskhand doctor``: is everything a task needs in place?  A table and an exit code."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from deskhand.app import privacy
from deskhand.app.backends import open_model, resolve_backend
from deskhand.app.cli.terminal import printable
from deskhand.app.model_choice import resolve_host, resolve_model
from deskhand.app.platform.display import DisplayChoice, choose_display, explain_on_stderr, screen_token_path
from deskhand.app.store.api_keys import api_key
from deskhand.app.store.config import Settings, load_settings
from deskhand.core.errors import DeskhandError
from deskhand.core.privacy import Reach, Ruling, rule
from deskhand.vision.capture import MssScreen, list_monitors
from deskhand.vision.dialects import dialect_for
from deskhand.vision.openai_model import OpenAIModel

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    warning: bool = False  # works, but less well than it should; not a failure


class Degraded(DeskhandError):
    """A check that does not stop a task from running, but makes it less safe or useful."""


def _display(choice: DisplayChoice) -> str:
    monitors = list_monitors()
    shown = ", ".join(f"{m.width}x{m.height}+{m.x}+{m.y}" for m in monitors)
    where = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or "native"
    return f"{where}: {len(monitors)} monitor(s) {shown}; {choice.name}, because {choice.reason}"


def _capture(model_name: str) -> str:
    monitor = list_monitors()[0]
    screen = MssScreen(monitor, dialect_for(model_name).grid)
    start = time.perf_counter()
    obs = screen.observe()
    ms = (time.perf_counter() - start) * 1000
    screen.close()
    w, h = obs.geometry.image_size
    return f"{monitor.width}x{monitor.height} → {w}x{h} JPEG {len(obs.image) // 1024} KiB in {ms:.0f} ms"


def _wayland_display(choice: DisplayChoice) -> str:
    from deskhand.vision.portal.bus import PortalBus
    from deskhand.vision.portal.session import describe_portal

    bus = PortalBus()
    try:
        return f"{choice.name}, because {choice.reason}; portal {describe_portal(bus)}"
    finally:
        bus.close()


def _wayland_capture(model_name: str) -> str:
    """A screen-only portal session (its permission kept: later doctors ask no more)."""
    from deskhand.vision.portal.desktop import PortalDesktop, PortalScreen
    from deskhand.vision.portal.tokens import TokenStore

    desktop = PortalDesktop.open(TokenStore(screen_token_path()), explain=explain_on_stderr, remote=False)
    screen = PortalScreen(desktop, desktop.monitors[0], dialect_for(model_name).grid, jpeg_quality=80)
    try:
        start = time.perf_counter()
        obs = screen.observe()
        ms = (time.perf_counter() - start) * 1000
    finally:
        screen.close()
    m, (w, h) = obs.geometry.screen_rect, obs.geometry.image_size
    kept = "permission kept" if desktop.session.persists else "permission not kept"
    return (
        f"portal stream {m.width}x{m.height}+{m.x}+{m.y} (pixel ratio {obs.geometry.pixel_ratio:g}) → "
        f"{w}x{h} JPEG {len(obs.image) // 1024} KiB in {ms:.0f} ms; {kept}"
    )


def _input() -> str:
    from deskhand.actions.gui import input_status  # imports pyautogui: only when checked

    return input_status()


def _risk_checks(settings: Settings) -> str:
    """What the policy can read under a click: the accessibility tree, OCR, or neither (a
    warning, not a failure: a task still runs, judging actions without their targets).

    OCR is tried, not only found: a 9-pt "Send" drawn here must read back as "Send" (a
    tesseract without its language data, say, runs but reads nothing).
    """
    if not settings.inspect_targets:
        return "off (inspect_targets = false): clicks and typing are judged without their targets"
    from deskhand.app.wiring import accessibility_on
    from deskhand.vision.inspect import AtspiInspector, OcrInspector

    accessibility_on()
    apps = AtspiInspector().applications()
    ocr = OcrInspector()
    version = ocr.version()
    reads = version is not None and ocr.reads_labels()
    tree = f"accessibility tree: {apps} application(s)" if apps is not None else "no accessibility bus"
    if version is None:
        pixels = "no tesseract (install tesseract-ocr)"
    elif not reads:
        pixels = f"OCR ({version}) could not read a test label (is its English data installed?)"
    else:
        pixels = f"OCR: {version}"
    if not reads:
        where = (
            "labels cannot be read"
            if apps is None
            else "labels of windows without accessibility cannot be read"
        )
        raise Degraded(
            f"Tried to find a way to read what a click lands on, but there is {tree} and {pixels}; "
            f"{where}, so risky buttons would not be recognised. "
            "Install tesseract with its English data (tesseract-ocr, tesseract-ocr-eng; and at-spi2-core on Linux)."
        )
    return f"{tree}; {pixels}"


def _privacy(host: str, settings: Settings) -> str:
    """Whether screenshots may go to ``host`` without a flag (a row only for non-local hosts)."""
    dest = privacy.where(host)
    verdict = rule(dest, allowed_hosts=settings.remote_hosts, insecure_hosts=settings.insecure_hosts)
    if verdict.ruling is Ruling.SEND:
        return f"screenshots go to {dest.describe()}: allowed"
    if verdict.ruling is Ruling.REFUSE:
        hint = "use https://, or accept the risk with `deskhand do --allow-insecure-remote --allow-remote`"
    else:
        hint = f"allow it once with `deskhand do --allow-remote` (remembered for {dest.host})"
    raise privacy.RemoteRefused(f"Screenshots may not go to {host} yet: {verdict.reason}; {hint}.")


def run_doctor(args: argparse.Namespace) -> int:
    settings = load_settings()
    backend = resolve_backend(args.backend, settings)
    host = resolve_host(args.host, settings, backend)
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
        with open_model(backend, host, "", settings) as client:
            version = client.server_version()
        return f"{host}: {version}" if backend == "openai" else f"{host}: Ollama {version}"

    def model() -> str:
        name = resolve_model(getattr(args, "model", None), settings, host, backend)
        model_name.append(name)
        with open_model(backend, host, name, settings) as client:
            if isinstance(client, OpenAIModel):  # without metadata, a tiny grey test image decides
                client.check(probe_images=True)
            else:
                client.check()
        return f"{name} (vision, dialect {dialect_for(name, settings.dialect).name})"

    choice = choose_display()
    if choice.wayland:
        if check("display", lambda: _wayland_display(choice)):
            check("capture", lambda: _wayland_capture(model_name[0] if model_name else ""))
            checks.append(Check("input", True, "RemoteDesktop portal: pointer and keyboard (keysyms); "
                                "checked when a task starts, as it asks for permission"))  # fmt: skip
    elif check("display", lambda: _display(choice)):
        check("capture", lambda: _capture(model_name[0] if model_name else ""))
        check("input", _input)
        # A row only when it warns: the table's rows are the contract's checks (DESIGN.md).
        try:
            log.info("risk checks: %s", _risk_checks(settings))
        except Degraded as exc:
            checks.append(Check("risk-checks", True, str(exc), warning=True))
    if backend == "openai":
        check("api-key", lambda: f"{api_key(settings)} (never shown or stored)")
    try:
        local = privacy.where(host).reach is Reach.LOOPBACK
    except DeskhandError:  # a name that does not resolve: the privacy row says so
        local = False
    if not local:
        check("privacy", lambda: _privacy(host, settings))
    if check("ollama" if backend == "ollama" else "server", server):
        check("model", model)
    width = max(len(c.name) for c in checks)
    for c in checks:
        status = "FAIL" if not c.ok else "warn" if c.warning else "ok  "
        sys.stdout.write(f"{c.name:<{width}}  {status}  {printable(c.detail)}\n")
    failed = [c for c in checks if not c.ok]
    warned = [c.name for c in checks if c.ok and c.warning]
    if failed:
        sys.stdout.write(f"{len(failed)} check(s) failed\n")
    elif warned:  # never "all passed" while, say, risky buttons cannot be recognised
        sys.stdout.write(f"no check failed, but {len(warned)} warning(s): {', '.join(warned)}\n")
    else:
        sys.stdout.write("all checks passed\n")
    return 0 if not failed else 2
