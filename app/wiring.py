"""Builds a task's concrete parts: the only place that knows every layer.

The CLI and the tray app both come here, so a task runs the same way from either.  The
latency work is wired here too (see README, "Latency"): the dialect's early-stop hook goes
to the model, the settler hands its last still frame to the screen for encoding, Stop
reaches the settler, and the model is loaded while the first screenshot is taken.  The
safety parts too: the inspector that tells the policy what a click lands on (with
accessibility switched on for the session first), the rules the user unlocked, and the
caller's way of pausing while the model server is away.  Which host and model, and how big
the screenshots and the context, are chosen in ``model_choice``.
"""

from __future__ import annotations

import functools
import logging
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from deskhand.actions.dispatch import ActionExecutor
from deskhand.actions.gui import GuiExecutor
from deskhand.actions.settle import FrameHandler, ScreenSettler
from deskhand.actions.shell import ShellRunner
from deskhand.app import privacy
from deskhand.app.backends import (
    open_model,
    resolve_backend,
    screen_grid,
    server_kind,
)
from deskhand.app.model_choice import context_size, image_grid, open_planner
from deskhand.app.platform.display import choose_display, portal_monitor, task_desktop
from deskhand.app.store.api_keys import api_key
from deskhand.app.store.config import Settings
from deskhand.app.store.memory_store import MemoryStore
from deskhand.app.store.settings_store import personal_db_path
from deskhand.core.actions import Decision
from deskhand.core.faults import PauseAndRetry
from deskhand.core.geometry import Rect, Size
from deskhand.core.grounding import GroundingOptions
from deskhand.core.loop import Limits, Parts
from deskhand.core.ports import Approver, FaultWaiter, Inspector, ShouldStop, StepSink
from deskhand.core.refine import Refiner
from deskhand.vision.capture import MssScreen, choose_monitor
from deskhand.vision.dialects import family_for
from deskhand.vision.dialects.elements import offering_elements
from deskhand.vision.inspect import FrameSource, default_inspector, enable_accessibility
from deskhand.vision.inspect.elements import AtspiElements
from deskhand.vision.zoom import FrameZoomer

if TYPE_CHECKING:
    from deskhand.actions._portal import RemoteInput
    from deskhand.app.backends import AnyModel

log = logging.getLogger(__name__)


class MonotonicClock:
    def now(self) -> float:
        return time.perf_counter()


@dataclass(frozen=True)
class TaskOptions:
    host: str
    model: str
    dialect: str | None
    monitor: int | None
    max_steps: int
    backend: str | None = None  # None: the config file's backend
    allow_remote: bool = False  # --allow-remote: screenshots may go to this non-local host
    allow_insecure: bool = False  # --allow-insecure-remote: even over plain HTTP to a public host
    planner: str | None = None  # --planner / planner_model: a second model plans, ``model`` grounds


def build_parts(
    options: TaskOptions,
    settings: Settings,
    *,
    approver: Approver,
    sinks: Sequence[StepSink],
    should_stop: ShouldStop,
    on_decision: Callable[[int, Decision], None] | None = None,
    faults: FaultWaiter | None = None,
) -> tuple[Parts, Limits, AnyModel]:
    """Check the privacy rules and the model, choose the monitor, and assemble the loop's parts."""
    privacy.guard(
        options.host, settings, allow_remote=options.allow_remote, allow_insecure=options.allow_insecure
    )
    family = family_for(options.model, options.dialect)
    chosen = task_desktop()  # None on X11; the run's kept session, or one for this task
    desktop, owned = chosen if chosen is not None else (None, False)
    try:
        monitor = portal_monitor(desktop, options.monitor) if desktop else choose_monitor(options.monitor)
        wanted = image_grid(family, settings.detail)
        toolbox = None
        if settings.mcp_servers:  # the mcp SDK takes seconds to import: only when configured
            from deskhand.app.mcp_client import open_toolbox

            toolbox = open_toolbox(settings)  # MCP servers' tools, listed now for the whole task
    except BaseException:
        if desktop is not None and owned:
            desktop.close()
        raise
    try:
        if toolbox is not None:
            from deskhand.app.mcp_client import offer

            offered, tool_verdicts = offer(toolbox, settings)
        else:
            offered, tool_verdicts = [], {}
        # Ollama's limit is known before asking it (num_ctx goes in at construction); an
        # OpenAI-compatible server says which it is when checked, and has its own context.
        num_ctx = context_size(
            settings.num_ctx,
            monitor,
            screen_grid(wanted, "ollama", settings),
            extra_chars=sum(t.size() for t in offered),
        )
        reply_end = getattr(family.build(), "reply_end", None)
        backend = resolve_backend(options.backend, settings)
        wait_left = faults.time_left if isinstance(faults, PauseAndRetry) else None
        model = open_model(
            backend,
            options.host,
            options.model,
            settings,
            num_ctx=num_ctx,
            reply_end=reply_end,
            wait_left=wait_left,
        )
        model.check()
        planner = open_planner(options.planner, backend, options.host, settings, num_ctx, wait_left)
        grid = screen_grid(wanted, server_kind(model), settings)
        if grid != wanted:
            log.info("screenshots within %d pixels for %s", grid.max_pixels, server_kind(model))
        dialect = offering_elements(family.build(grid, offered), settings.element_list and _has_atspi())
        if desktop is not None:
            from deskhand.vision.portal.desktop import PortalScreen  # jeepney: Linux only

            screen: MssScreen = PortalScreen(
                desktop, monitor, grid, jpeg_quality=settings.jpeg_quality, owns=owned
            )
        else:
            screen = MssScreen(monitor, grid, jpeg_quality=settings.jpeg_quality)
        remote, desktop = desktop, None  # the screen has it now (and closes it if the task owns it)
        # After the privacy guard: remembered facts go only where screenshots may go.
        memory = MemoryStore(personal_db_path(settings)) if settings.use_memory else None
    except BaseException:
        if toolbox is not None:
            toolbox.close()
        if desktop is not None and owned:
            desktop.close()
        raise
    gui = portal_gui(remote) if remote is not None else None
    grounding = refiner(settings, frames=screen.frame)
    parts = Parts(
        screen=screen,
        model=model,
        dialect=dialect,
        approver=approver,
        # The key from the keyring too is kept out of commands' output (env keys always are).
        executor=ActionExecutor(
            gui=gui,
            shell=ShellRunner(timeout=settings.shell_timeout, secrets=_secrets(backend, settings)),
            memory=memory,
            tools=toolbox,
        ),
        settler=ScreenSettler(
            cap=settings.settle_cap,
            on_still=still_frame_handler(screen, grounding),
            fingerprint=screen.fingerprint_of,
            baseline=screen.frame,
            should_stop=should_stop,
            grabber=remote.grab if remote is not None else None,
        ),
        clock=MonotonicClock(),
        sinks=tuple(sinks),
        should_stop=should_stop,
        on_decision=on_decision,
        ask_every_action=settings.ask_every_action,
        warm_up=model.warm_up if planner is None else _both(model.warm_up, planner[1]),
        inspector=element_inspector(settings, frames=screen.frame),
        refiner=grounding,
        unlocked=frozenset(settings.unlocked_rules),
        faults=faults,
        recall=memory.recall if memory is not None else None,
        tools=tool_verdicts,
        planner=None if planner is None else planner[0],
    )
    return parts, Limits(max_steps=options.max_steps, max_seconds=settings.max_task_seconds), model


def _both(first: Callable[[], None], second: Callable[[], None]) -> Callable[[], None]:
    """Load the grounder, then the planner (one after the other: they share the server)."""

    def run() -> None:
        first()
        second()

    return run


def _secrets(backend: str, settings: Settings) -> tuple[str, ...]:
    key = api_key(settings).secret if backend == "openai" else None
    return (key,) if key else ()


def element_inspector(settings: Settings, *, frames: FrameSource | None = None) -> Inspector | None:
    """The accessibility tree, then OCR of the screen's full-resolution ``frames`` -- unless
    the user switched target checks off."""
    if not settings.inspect_targets:
        return None
    accessibility_on()
    return default_inspector(frames=frames)


def _has_atspi() -> bool:
    """Whether an element list can exist here (the accessibility tree is AT-SPI, Linux only)."""
    return sys.platform.startswith("linux")


def refiner(settings: Settings, *, frames: FrameSource) -> Refiner | None:
    """The grounding stage: element list, snapping and zoom-in, as the settings allow."""
    options = GroundingOptions(
        elements=settings.element_list, snap=settings.snap_to_elements, zoom=settings.zoom_small_targets
    )
    if not (options.elements or options.zoom):
        return None
    if options.elements:
        accessibility_on()
    return Refiner(
        options,
        elements=AtspiElements(frames=frames) if options.elements else None,
        zoomer=FrameZoomer(frames, jpeg_quality=settings.jpeg_quality),
    )


def still_frame_handler(screen: MssScreen, grounding: Refiner | None) -> FrameHandler:
    """Where the settler hands each frame it finds still: the screen encodes it, and the
    element list is read for it, both while the still window runs out (see
    ``vision.inspect.elements``); the next observation uses each only if it is that frame."""
    source = grounding.source if grounding is not None else None
    if not isinstance(source, AtspiElements):
        return screen.prepare

    def both(raw: bytearray, size: Size, rect: Rect) -> None:
        source.read_ahead(raw, size, rect)
        screen.prepare(raw, size, rect)

    return both


@functools.cache
def accessibility_on() -> bool:
    """Ask the session's toolkits to publish accessibility trees (once per process).

    Applications started afterwards publish theirs, so the tray app calls this at start.
    """
    return enable_accessibility()


def portal_gui(desktop: RemoteInput) -> GuiExecutor:
    """The GUI executor that sends input through a portal session (instead of XTest): a
    ``PortalDesktop``, or the run's ``SharedPortal`` (which opens its session on first use)."""
    from deskhand.actions._portal import PortalInput, PortalTyper  # Xlib's keysym table

    return GuiExecutor(typer=PortalTyper(PortalInput(desktop)))


def release_input_after_crash(interrupted: tuple[int, ...]) -> None:
    """A Deskhand that crashed mid-task may have left a key or button down: let go of it.

    On Wayland there is nothing to do: the crashed process's portal session ended with it,
    and the compositor released what its virtual devices held (``actions._portal``).
    """
    if choose_display().wayland:
        log.info("interrupted tasks %s: their portal sessions ended with them", interrupted)
        return
    from deskhand.actions.gui import release_left_held

    try:
        release_left_held()
    except Exception as exc:  # no display yet: the task's own set-up will say so
        log.info("could not release input after interrupted tasks %s: %s", interrupted, exc)
        return
    log.info("released any keys and buttons left down by interrupted tasks %s", interrupted)
