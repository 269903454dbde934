"""Judge one expanded command (argv): find the program that really runs, then its rule.

Wrappers are peeled off first -- ``sudo``, ``env``, ``nohup``, ``timeout``, ``busybox``,
``xargs``, ``find -exec`` and friends -- so ``env -i nice /bin/rm -rf ~`` is judged as
``rm -rf ~`` (plus ``privilege`` for ``sudo``).  Code handed to an interpreter (``sh -c``,
``eval``, ``python -c``, a pipe into ``bash``) is judged as code, and where it comes from
matters: downloaded or decoded code blocks, constant text is judged as the command it is.
"""

from __future__ import annotations

import re

from deskhand.core.shellrisk.context import Context, Feed, Finding
from deskhand.core.shellrisk.files import FILE_HANDLERS, check_write, scan_credentials
from deskhand.core.shellrisk.parse import FunctionDef, Group, Simple
from deskhand.core.shellrisk.rules import (
    ACCOUNTS,
    DECODERS,
    DISK_TOOLS,
    FETCHERS,
    FRAGMENTS,
    INSTALLERS,
    MUTATING_ARGS,
    NETWORK,
    POWER,
    PRIVILEGE,
    PROCESS,
    READ_ONLY,
    TRIVIAL_FLAGS,
    WRAPPERS,
)
from deskhand.core.shellrisk.system import DISK_HANDLER, INSTALLER_HANDLER, NETWORK_HANDLER, SYSTEM_HANDLERS
from deskhand.core.shellrisk.words import Field, nested_substitutions, printed
from deskhand.core.shellrisk.wrappers import EXEC_HANDLERS, KNOWN_PROGRAMS, program_name

__all__ = [
    "FRAGMENTS",
    "KNOWN_PROGRAMS",
    "Context",
    "Feed",
    "Finding",
    "check_write",
    "feed_for",
    "feed_of",
    "nested",
    "run",
]

nested = nested_substitutions


def run(ctx: Context, fields: list[Field]) -> Feed:
    """Judge the command ``fields``; return what it writes to its stdout."""
    prog, args = fields[0], fields[1:]
    scan_credentials(ctx, fields)
    if prog.origins:
        ctx.code("", origins=prog.origins)
    if prog.dynamic:
        ctx.add(
            "computed-command", f"runs a program whose name is only known when it runs ({prog.text[:60]})"
        )
        return Feed()
    name = program_name(prog.text)
    if "/" in prog.text and prog.text.rsplit("/", 1)[-1] in ctx.downloaded:
        ctx.add("remote-code", f"runs {prog.text}, which was just downloaded")
    if name in ctx.functions:
        return Feed()
    if len(args) == 1 and args[0].text in TRIVIAL_FLAGS and name in KNOWN_PROGRAMS:
        return Feed(source=name)
    _dispatch(ctx, name, args, prog)
    return feed_for(name, [a.text for a in args], args)


def _dispatch(ctx: Context, name: str, args: list[Field], prog: Field) -> None:
    texts = [a.text for a in args]
    if handler := EXEC_HANDLERS.get(name) or FILE_HANDLERS.get(name) or SYSTEM_HANDLERS.get(name):
        handler(ctx, name, args)
    elif name in READ_ONLY:
        mutating = MUTATING_ARGS.get(name, frozenset())
        if any(
            t == m or ((m.startswith("-") or m.endswith("-")) and t.startswith(m))
            for t in texts
            for m in mutating
        ):
            ctx.add("process", f"{name} {' '.join(texts)[:60]} changes settings")
        if name == "getent" and any(t in ("shadow", "gshadow") for t in texts):
            ctx.add("credentials", "getent shadow reads password hashes")
        if name in ("hostname",) and any(not t.startswith("-") for t in texts):
            ctx.add("process", "hostname changes the machine's name")
    elif name in INSTALLERS:
        INSTALLER_HANDLER(ctx, name, args)
    elif name in NETWORK:
        NETWORK_HANDLER(ctx, name, args)
    elif name in DISK_TOOLS or name == "mkfs":
        DISK_HANDLER(ctx, name, args)
    elif name in POWER:
        SYSTEM_HANDLERS["shutdown"](ctx, name, args)
    elif name in ACCOUNTS:
        ctx.add("accounts", f"{name} changes user accounts or passwords")
    elif name in PROCESS:
        ctx.add("process", f"{name} controls processes or services")
    else:
        where = f" ({prog.text})" if "/" in prog.text else ""
        ctx.add("unknown-program", f"{name}{where} is not known to be read-only")


def feed_for(name: str, texts: list[str], fields: list[Field] | None = None) -> Feed:
    """What ``name texts...`` writes to stdout, for the pipe into the next command."""
    if name in FETCHERS:
        return Feed(frozenset({"network"}), source=name)
    if name in DECODERS and _decodes(name, texts):
        return Feed(frozenset({"decoder"}), source=name)
    if name in ("echo", "printf") and fields is not None and not any(f.dynamic for f in fields):
        return Feed(text=printed(name, list(texts)), source=name)
    return Feed(source=name)


def _decodes(name: str, texts: list[str]) -> bool:
    flags = " ".join(texts)
    if name in ("base64", "base32", "basenc", "gzip", "bzip2", "xz", "zstd", "lzma"):
        return bool(re.search(r"(^| )(-\w*[dD]\w*|--decode|--decompress)( |$)", flags))
    if name == "xxd":
        return bool(re.search(r"(^| )(-\w*r\w*|-revert)( |$)", flags))
    if name == "openssl":
        return bool(re.search(r"(^| )-d( |$)|base64 -d|-base64 -d|enc -d|-a -d", flags)) or "-d" in texts
    if name in ("python", "python3", "perl"):
        return bool(re.search(r"b64decode|decode|unhexlify|fromhex|unpack", flags))
    if name == "certutil":
        return "-decode" in flags.lower()
    return True


def feed_of(command: Simple | Group | FunctionDef) -> Feed:
    """``feed_for`` from the words as written (for substitutions judged out of context)."""
    if isinstance(command, FunctionDef):
        return Feed()
    if isinstance(command, Group):
        origins = frozenset().union(*(feed_of(c).origins for p in command.body for c in p))
        return Feed(origins)
    words = [w.text for w in command.words if not re.match(r"^[A-Za-z_]\w*=", w.text)]
    while words and (program_name(words[0]) in WRAPPERS or program_name(words[0]) in PRIVILEGE):
        words = words[1:]
        while words and words[0].startswith("-"):
            words = words[1:]
    tcp = any(r.dest is not None and "/dev/tcp/" in r.dest.text for r in command.redirects)
    if tcp:
        return Feed(frozenset({"network"}))
    return feed_for(program_name(words[0]), words[1:]) if words else Feed()
