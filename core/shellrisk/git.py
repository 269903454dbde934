"""The handler for ``git``: its read-only subcommands run without asking, the rest asks.

Git gets a module of its own because it is several programs in one: ``git log`` only reads,
``git branch -a`` only lists, ``git push`` talks to a remote, and ``git -c`` or a ``!``
alias can make git run any command.
"""

from __future__ import annotations

from deskhand.core.shellrisk.context import Context, Handler
from deskhand.core.shellrisk.rules import words
from deskhand.core.shellrisk.words import Field

__all__ = ["GIT_HANDLERS"]

_GIT_READ = words("status log diff show rev-parse ls-files blame shortlog describe grep ls-tree cat-file rev-list whatchanged version help show-ref for-each-ref count-objects check-ignore name-rev var merge-base cherry show-branch range-diff annotate")  # fmt: skip
_GIT_LISTING = {"branch": {"-a", "-r", "-v", "-vv", "--list", "-l", "--all", "--show-current", "--contains",
                           "--merged", "--no-merged"},
                "tag": {"-l", "--list", "-n"}, "remote": {"-v", "show", "get-url"}, "stash": {"list", "show"},
                "config": {"--get", "--list", "-l", "--get-all", "--get-regexp", "--show-origin", "--global",
                           "--local", "--system"},
                "worktree": {"list"}, "submodule": {"status"}, "reflog": {"show"}, "notes": {"list", "show"}}  # fmt: skip


def _git(ctx: Context, name: str, args: list[Field]) -> None:
    texts = [a.text for a in args]
    i = 0
    while i < len(texts) and texts[i].startswith("-"):
        if texts[i] == "-c":
            ctx.add("run-code", "git -c can make git run commands")
        i += 2 if texts[i] in ("-C", "-c", "--git-dir", "--work-tree", "--namespace") else 1
    sub, rest = (texts[i], texts[i + 1 :]) if i < len(texts) else ("", [])
    if any(t.startswith("--output") for t in rest):
        ctx.add("write-file", f"git {sub} --output writes a file")
    if sub in ("config", "alias") and any(t.startswith("!") for t in rest):
        ctx.code(next(t for t in rest if t.startswith("!"))[1:])
    if sub in _GIT_READ or (
        sub in _GIT_LISTING
        and all(
            t in _GIT_LISTING[sub]
            or (sub == "config" and "." in t and len(rest) <= 2 and "--get" in " ".join(rest))
            for t in rest
        )
    ):
        return
    if sub in ("clone", "fetch", "pull", "push", "ls-remote", "submodule", "remote"):
        ctx.add("network", f"git {sub} talks to a remote")
    ctx.add("write-file", f"git {sub} changes a repository or talks to a remote")


GIT_HANDLERS: dict[str, Handler] = {"git": _git}
