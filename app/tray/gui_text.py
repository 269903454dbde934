"""Error messages as the tray app says them: where the CLI names a flag, the GUI names a setting.

The errors that ``vision`` and the privacy guard raise are written once, for both front-ends,
as one line that ends in what to do -- and for the CLI that is a flag ("Check
--host/OLLAMA_HOST", "Pass --model NAME").  A tray user has no flags; they have Settings >
Model server.  ``for_gui`` rewrites exactly those CLI hints (a fixed table, tested against
every message that reaches the tray) and leaves the rest of the sentence alone, so both
front-ends keep one wording of what went wrong.  Commands a user runs in a terminal either
way (``ollama serve``, ``ollama pull``) stay.
"""

from __future__ import annotations

import re

__all__ = ["SERVER_SETTINGS", "for_gui"]

SERVER_SETTINGS = "Settings > Model server"

_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (
            r"Pass --model NAME \(see `deskhand models[^`]*`\)\.",
            f"Choose a vision model in {SERVER_SETTINGS}.",
        ),
        (r"Pass --model with one of those\.", f"Choose one of those in {SERVER_SETTINGS}."),
        (r"pass its name with --model\.", f"choose it in {SERVER_SETTINGS}."),
        (r" and --model \S+?\.(?=\s|$)", f" and choose it in {SERVER_SETTINGS}."),
        (r", or pass --model\.", f", or choose another in {SERVER_SETTINGS}."),
        (r" \(or `deskhand pull [^`]+`\)", f" (or pull it in {SERVER_SETTINGS})"),
        (r"--host/OLLAMA_HOST|--host\b", f"the address in {SERVER_SETTINGS}"),
        (
            r"Run the task again with --allow-remote to allow (\S+) \(Deskhand remembers it\)\.",
            r"Start the task again and allow \1 when asked.",
        ),
        (
            r"\(or pass --allow-insecure-remote if you accept that risk\)",
            "(or add the host to insecure_hosts in the config file if you accept that risk)",
        ),
        (r" \(`deskhand history`\)", " (History)"),
    )
)


def for_gui(message: str) -> str:
    """``message`` with its CLI hints phrased for the tray app's windows."""
    for pattern, replacement in _REWRITES:
        message = pattern.sub(replacement, message)
    return message
