"""Handlers for the shell's own builtins, which change the shell rather than the system.

``history``, ``set +o history``, ``unset HISTFILE``, ``export``/``declare`` and friends,
``alias``, ``trap`` and ``cd``/``pushd``.  They matter because they change how the *rest*
of the line is judged: an exported variable is expanded later, an alias or trap body is
code that will run, and ``cd`` moves the folder relative paths are judged against.
"""

from __future__ import annotations

import re

from deskhand.core.shellrisk.context import Context, Handler
from deskhand.core.shellrisk.files import check_write
from deskhand.core.shellrisk.paths import normalize
from deskhand.core.shellrisk.words import Field

__all__ = ["BUILTIN_HANDLERS"]


def _history(ctx: Context, name: str, args: list[Field]) -> None:
    texts = [a.text for a in args]
    if any(re.match(r"^-[a-zA-Z]*[cd]", t) for t in texts):
        ctx.add("history-wipe", "history -c/-d erases the shell history")
    elif any(re.match(r"^-[a-zA-Z]*[wa]", t) for t in texts):
        for a in args[1:]:
            check_write(ctx, a, "writes the history to")
        if len(args) == 1:
            ctx.add("write-file", "writes the shell history file")


def _builtin(ctx: Context, name: str, args: list[Field]) -> None:
    texts = [a.text for a in args]
    if name == "set" and any(t in ("+o", "-o") for t in texts) and "history" in texts and "+o" in texts:
        ctx.add("history-wipe", "set +o history stops recording the shell history")
    elif name == "unset":
        for t in texts:
            if t in ("HISTFILE", "HISTSIZE", "HISTFILESIZE"):
                ctx.add("history-wipe", f"unset {t} stops the shell history")
    elif name in ("export", "declare", "typeset", "local", "readonly"):
        for a in args:
            if m := re.match(r"^([A-Za-z_]\w*)=(.*)$", a.text, re.DOTALL):
                ctx.assign(m.group(1), Field(m.group(2), a.dynamic, a.subs, a.origins), persist=True)
    elif name == "alias":
        for a in args:
            if "=" in a.text:
                ctx.code(a.text.split("=", 1)[1], origins=a.origins, dynamic=a.dynamic)
    elif name == "trap" and texts and not texts[0].startswith("-"):
        ctx.code(texts[0], origins=args[0].origins, dynamic=args[0].dynamic)
    elif name in ("cd", "pushd"):
        dest = args[-1] if args and not args[-1].text.startswith("-") else None
        ctx.cwd = "~" if dest is None else (None if dest.dynamic else _join(ctx.cwd, dest.text))
    elif name in ("eval", "."):
        pass  # handled in programs.py


def _join(cwd: str | None, path: str) -> str | None:
    return normalize(path, cwd) if cwd is not None or path.startswith(("/", "~")) else None


BUILTIN_HANDLERS: dict[str, Handler] = {
    "history": _history,
    **dict.fromkeys(
        ("set", "unset", "export", "declare", "typeset", "local", "readonly", "alias", "trap", "cd", "pushd"),
        _builtin,
    ),
}
