"""``deskhand mcp``'s protocol side: the tools (names and arguments as DESIGN.md fixes them).

Only translation lives here -- arguments into ``core.actions`` values, ``CallResult`` into
MCP content -- so the rules stay in one place (``deskhand.app.cli.mcp_desk``).  Tool
functions are async for the SDK and run the desktop work on a worker thread, where the
loop's parts expect to be called.  Nothing in a request can answer a confirmation: the
tools take no such argument, and the server asks the client for nothing (no elicitation).
Annotations say what each tool may do: only ``screenshot`` reads without changing anything.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Annotated, Literal

import anyio.to_thread
from mcp.server.mcpserver import Context, MCPServer
from mcp_types import CallToolResult, ImageContent, TextContent, ToolAnnotations
from pydantic import Field, ValidationError

from deskhand.app.cli.mcp_desk import CallResult, DesktopCalls
from deskhand.core.actions import (
    Action,
    Click,
    Drag,
    Hotkey,
    MouseButton,
    RunShell,
    Scroll,
    ScrollDirection,
    TypeText,
)
from deskhand.core.geometry import ImagePoint
from deskhand.core.observation import Observation

INSTRUCTIONS = (
    "Deskhand drives this computer's desktop for you, but the person at the desktop stays in "
    "charge: risky actions (a click on Delete/Send/Pay, commands that write or delete) wait for "
    "their OK in a dialog on their screen, some are never done, and a refused call comes back "
    "as an error with the reason. Take a `screenshot` first; x/y of the pointer tools are "
    "pixels of that image (or of the one named by screenshot_id)."
)

_READ_ONLY = ToolAnnotations(
    title="Screenshot",
    read_only_hint=True,
    destructive_hint=False,
    idempotent_hint=True,
    open_world_hint=False,
)


def _acts(title: str, *, destructive: bool = True) -> ToolAnnotations:
    return ToolAnnotations(
        title=title,
        read_only_hint=False,
        destructive_hint=destructive,
        idempotent_hint=False,
        open_world_hint=True,
    )


Pixel = Annotated[float, Field(ge=0, description="pixels of the screenshot image, from its left/top edge")]
ShotId = Annotated[
    str | None, Field(description="the screenshot the point belongs to (default: the latest one)")
]

ClientName = Callable[[Context], str]
Seen = Callable[[str], None]


def client_name(ctx: Context) -> str:
    """The client's own name from its handshake, e.g. "claude-ai" (or a neutral stand-in)."""
    params = getattr(ctx.session, "client_params", None)
    info = getattr(params, "client_info", None)
    name = getattr(info, "title", None) or getattr(info, "name", None)
    return str(name) if name else "an MCP client"


def build_server(calls: DesktopCalls, *, seen: Seen, version: str) -> MCPServer:
    """The MCP server; ``seen`` is told the client's name on each call (the "Used by" display)."""
    server: MCPServer = MCPServer("deskhand", version=version, instructions=INSTRUCTIONS)

    async def in_thread(ctx: Context, work: Callable[[str], CallResult]) -> CallToolResult:
        name = client_name(ctx)
        seen(name)
        result = await anyio.to_thread.run_sync(lambda: work(name))
        return _to_mcp(result)

    def attempt(name: str, make: Callable[[], Action], bound: Observation | None = None) -> CallResult:
        """Build the action (bad arguments come back as an error) and hand it to the gate."""
        try:
            action = make()
        except (ValueError, ValidationError) as exc:
            return CallResult(False, _first_error(exc))
        return calls.act(name, action, bound)

    async def pointer(
        ctx: Context, shot: str | None, make: Callable[[Observation], Action]
    ) -> CallToolResult:
        def work(name: str) -> CallResult:
            bound = calls.bound(shot)
            if isinstance(bound, str):
                return CallResult(False, bound)
            return attempt(name, lambda: make(bound), bound)

        return await in_thread(ctx, work)

    async def keyboard(ctx: Context, make: Callable[[], Action]) -> CallToolResult:
        return await in_thread(ctx, lambda name: attempt(name, make))

    @server.tool(annotations=_READ_ONLY)
    async def screenshot(
        ctx: Context,
        monitor: Annotated[
            int | None,
            Field(ge=0, description="1 = first monitor, 0 = all together; default: the focused one"),
        ] = None,
    ) -> CallToolResult:
        """A picture of the desktop, sized for vision models, and its {"screenshot_id", "width", "height"}."""
        return await in_thread(ctx, lambda _name: calls.screenshot(monitor))

    @server.tool(annotations=_acts("Click"))
    async def click(
        ctx: Context,
        x: Pixel,
        y: Pixel,
        button: Literal["left", "right", "middle"] = "left",
        clicks: Annotated[int, Field(ge=1, le=3, description="2 = double click")] = 1,
        screenshot_id: ShotId = None,
    ) -> CallToolResult:
        """Click at (x, y) of a screenshot. A click on a risky button waits for the person's OK."""
        return await pointer(
            ctx,
            screenshot_id,
            lambda shot: Click(at=_point(shot, x, y), button=MouseButton(button), count=clicks),
        )

    @server.tool(annotations=_acts("Type text"))
    async def type_text(
        ctx: Context, text: Annotated[str, Field(min_length=1, max_length=10_000)]
    ) -> CallToolResult:
        """Type text into whatever has the keyboard focus, exactly as given."""
        return await keyboard(ctx, lambda: TypeText(text=text))

    @server.tool(annotations=_acts("Press keys"))
    async def press_keys(
        ctx: Context,
        keys: Annotated[list[str], Field(min_length=1, description='pressed together, e.g. ["ctrl", "s"]')],
    ) -> CallToolResult:
        """Press keys together and release them (a shortcut, or one key such as "enter")."""
        return await keyboard(ctx, lambda: Hotkey(keys=tuple(keys)))

    @server.tool(annotations=_acts("Scroll", destructive=False))
    async def scroll(
        ctx: Context,
        x: Pixel,
        y: Pixel,
        direction: Literal["up", "down", "left", "right"],
        amount: Annotated[int, Field(ge=1, le=50, description="wheel notches")] = 3,
        screenshot_id: ShotId = None,
    ) -> CallToolResult:
        """Turn the mouse wheel over (x, y) of a screenshot."""
        return await pointer(
            ctx,
            screenshot_id,
            lambda shot: Scroll(at=_point(shot, x, y), direction=ScrollDirection(direction), amount=amount),
        )

    @server.tool(annotations=_acts("Drag"))
    async def drag(
        ctx: Context, x: Pixel, y: Pixel, to_x: Pixel, to_y: Pixel, screenshot_id: ShotId = None
    ) -> CallToolResult:
        """Press the left button at (x, y), move to (to_x, to_y), release (pixels of a screenshot)."""
        return await pointer(
            ctx, screenshot_id, lambda shot: Drag(start=_point(shot, x, y), end=_point(shot, to_x, to_y))
        )

    @server.tool(annotations=_acts("Run a shell command"))
    async def run_shell(
        ctx: Context, command: Annotated[str, Field(min_length=1, max_length=4_000)]
    ) -> CallToolResult:
        """Run a shell command; returns its exit code and output. Read-only commands run at once,
        ones that change things wait for the person's OK, destructive ones are refused."""
        return await keyboard(ctx, lambda: RunShell(command=command))

    @server.tool(annotations=_acts("Run a Deskhand task"))
    async def run_task(
        ctx: Context,
        task: Annotated[str, Field(min_length=1, description="what to do, in plain words")],
        max_steps: Annotated[int | None, Field(ge=1, le=500)] = None,
    ) -> CallToolResult:
        """Let Deskhand's own vision model do a whole task on the desktop (same safety checks);
        returns the outcome and a line per step."""
        return await in_thread(ctx, lambda _name: calls.run_task(task, max_steps))

    return server


def _point(shot: Observation, x: float, y: float) -> ImagePoint:
    width, height = shot.geometry.image_size
    if not (0 <= x < width and 0 <= y < height):
        raise ValueError(f"({x:g}, {y:g}) is outside screenshot {shot.id}, which is {width}x{height} pixels")
    return ImagePoint(x=x, y=y)


def _first_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        return f"Invalid arguments: {first['msg']}"
    return f"Invalid arguments: {exc}"


def _to_mcp(result: CallResult) -> CallToolResult:
    content: list[ImageContent | TextContent] = []
    shot = result.observation
    if shot is not None:
        data = base64.b64encode(shot.image).decode("ascii")
        content.append(ImageContent(type="image", data=data, mime_type=shot.mime))
    content.append(TextContent(type="text", text=result.text))
    return CallToolResult(content=content, is_error=not result.ok)
