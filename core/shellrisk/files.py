"""Handlers for programs that delete, move, write or re-permission files.

What makes such a command dangerous is *where* it acts, so every handler finds the paths
it touches and asks ``shellrisk.paths`` what they are: the home folder or / as a whole, the
system's folders, login scripts, credentials, the shell history, raw disks.
"""

from __future__ import annotations

import re

from deskhand.core.shellrisk.context import Context, Handler, operands
from deskhand.core.shellrisk.paths import PathKind
from deskhand.core.shellrisk.rules import words
from deskhand.core.shellrisk.words import Field

__all__ = ["FILE_HANDLERS", "TREE_KINDS", "check_write", "scan_credentials"]

TREE_KINDS = _TREE = (
    PathKind.ROOT,
    PathKind.SYSTEM,
    PathKind.HOME,
    PathKind.HOME_CONTENTS,
    PathKind.USER_DIR,
)


def check_write(ctx: Context, dest: Field, verb: str) -> None:
    """A file is created or changed: where decides the rule (confirm at least)."""
    path = dest.text
    kind = ctx.kind(path)
    if kind is PathKind.DISCARD:
        return
    rule = {
        PathKind.DEVICE: ("disk-destroy", f"{verb} the disk {path} directly"),
        PathKind.HISTORY: ("history-wipe", f"{verb} the shell history {path}"),
        PathKind.STARTUP: ("persistence", f"{verb} {path}, which runs at login or on a schedule"),
        PathKind.CREDENTIAL: ("credentials", f"{verb} {path}, which holds keys or passwords"),
        PathKind.SYSTEM: ("system-files", f"{verb} the system file {path}"),
        PathKind.ROOT: ("system-files", f"{verb} {path}"),
    }.get(kind, ("write-file", f"{verb} the file {path}"))
    ctx.add(*rule)
    if dest.dynamic:
        ctx.add("write-file", f"{verb} a file whose name is computed when it runs ({path})")


def scan_credentials(ctx: Context, fields: list[Field]) -> None:
    """Any argument naming a credential store blocks, whatever the program does with it."""
    for f in fields:
        for candidate in _path_candidates(f.text):
            if ctx.kind(candidate) is PathKind.CREDENTIAL:
                ctx.add("credentials", f"touches {candidate}, which holds keys or passwords")
                return


def _path_candidates(text: str) -> list[str]:
    found = [text]
    if "=" in text:
        found.append(text.split("=", 1)[1])
    if "@" in text:
        found.append(text.rsplit("@", 1)[1])
    if ":" in text and not text.startswith(("http:", "https:")):
        found.append(text.split(":", 1)[1])
    return [c for c in found if c]


def _delete(ctx: Context, name: str, args: list[Field]) -> None:
    opts, doomed = operands(args)
    flags = "".join(o.text for o in opts)
    recursive = bool(re.search(r"^-[a-zA-Z]*[rR]|--recursive|(^|-)/s", flags)) or name == "rd"
    if name in ("rd", "rmdir", "del", "erase") and any(o.text.lower() == "/s" for o in args):
        recursive = True
    for t in doomed:
        kind = ctx.kind(t.text)
        if kind in _TREE and (recursive or kind in (PathKind.ROOT, PathKind.HOME_CONTENTS)):
            ctx.add("wipe-tree", f"deletes {t.text} ({kind.value}) with everything in it")
        elif kind is PathKind.DEVICE:
            ctx.add("disk-destroy", f"{name} overwrites the disk {t.text}")
        elif kind is not PathKind.OTHER and kind is not PathKind.DISCARD:
            check_write(ctx, t, "deletes")
        else:
            ctx.add("delete", f"deletes {t.text}" + (" and everything in it" if recursive else ""))
    if not doomed:
        ctx.add("delete", f"{name} deletes files")


def _move_copy(ctx: Context, name: str, args: list[Field]) -> None:
    opts, paths = operands(args, words("-t --target-directory -S --suffix -m --mode -o --owner -g --group -e --rsh --exclude"))  # fmt: skip
    texts = [o.text for o in opts]
    dest_opt = next(
        (opts[i + 1] for i, t in enumerate(texts[:-1]) if t in ("-t", "--target-directory")), None
    )
    dest_opt = dest_opt or next(
        (Field(t.split("=", 1)[1]) for t in texts if t.startswith("--target-directory=")), None
    )
    sources, dest = (paths, dest_opt) if dest_opt else (paths[:-1], paths[-1] if paths else None)
    if name == "ln" and dest is None and paths:
        dest = Field(paths[0].text.rstrip("/").rsplit("/", 1)[-1])
    moves = name in ("mv", "move") or (name == "rsync" and "--remove-source-files" in texts)
    for s in sources:
        kind = ctx.kind(s.text)
        if moves and kind in _TREE:
            ctx.add("wipe-tree", f"moves {s.text} ({kind.value}) away")
        elif moves and kind in (PathKind.STARTUP, PathKind.HISTORY, PathKind.SYSTEM):
            check_write(ctx, s, "moves away")
    if dest is not None:
        if name == "rsync" and any(t.startswith("--delete") for t in texts) and ctx.kind(dest.text) in _TREE:
            ctx.add("wipe-tree", f"rsync --delete can empty {dest.text}")
        verb = {"ln": "links", "mv": "moves files into", "move": "moves files into"}.get(
            name, "copies files to"
        )
        check_write(ctx, dest, verb)
    else:
        ctx.add("write-file", f"{name} creates or changes files")


def _writes_operands(ctx: Context, name: str, args: list[Field]) -> None:
    with_value = {"truncate": {"-s", "--size", "-r", "--reference"}, "mkdir": {"-m", "--mode"},
                  "touch": {"-d", "-t", "-r", "--date", "--reference"}, "mknod": {"-m"}, "mkfifo": {"-m"},
                  "split": {"-b", "-l", "-n", "-C", "-a"}, "patch": {"-p", "-d", "-i", "-o", "-F"}}  # fmt: skip
    _, paths = operands(args, frozenset(with_value.get(name, set())))
    if name in ("split", "csplit") and paths:
        paths = paths[-1:]
    for p in paths:
        check_write(ctx, p, "writes to" if name in ("tee", "patch") else f"{name} changes")
    if not paths and name != "tee":
        ctx.add("write-file", f"{name} creates or changes files")


def _permissions(ctx: Context, name: str, args: list[Field]) -> None:
    opts, rest = operands(args, frozenset({"--reference", "--from"}))
    recursive = any(re.match(r"^-[a-zA-Z]*R|--recursive", o.text) for o in opts)
    if (
        name in ("chmod", "chown", "chgrp")
        and rest
        and not any(o.text.startswith("--reference") for o in opts)
    ):
        mode, rest = rest[0], rest[1:]
        if name == "chmod" and re.search(r"(^|,)[ugoa]*[+=][rwxXt]*s|^[2467][0-7]{3}$", mode.text):
            ctx.add("permissions", f"chmod {mode.text} sets setuid/setgid, a way to gain root")
    if name == "setfacl":
        rest = [r for r in rest if not re.match(r"^[ugmod]:", r.text)]
    for t in rest:
        kind = ctx.kind(t.text)
        if kind in (PathKind.ROOT, PathKind.SYSTEM) or (recursive and kind in _TREE):
            ctx.add(
                "permissions", f"{name} on {t.text} ({kind.value})" + (" recursively" if recursive else "")
            )
        elif kind is not PathKind.OTHER:
            check_write(ctx, t, f"{name} changes")
    ctx.add("write-file", "changes file permissions or owners")


def _dd(ctx: Context, name: str, args: list[Field]) -> None:
    wrote = False
    for a in args:
        key, _, value = a.text.partition("=")
        if key == "of":
            wrote = True
            check_write(ctx, Field(value, a.dynamic), "dd writes")
            if ctx.kind(value) in (PathKind.DEVICE, PathKind.ROOT):
                ctx.add("disk-destroy", f"dd writes raw bytes onto {value}")
    if not wrote:
        ctx.add("write-file", "dd copies raw bytes")


def _sed(ctx: Context, name: str, args: list[Field]) -> None:
    opts, rest = operands(args, words("-e --expression -f --file -l -s"))
    texts = [o.text for o in opts]
    scripts = [opts[i + 1].text for i, t in enumerate(texts[:-1]) if t in ("-e", "--expression")]
    if not scripts and rest:
        scripts, rest = [rest[0].text], rest[1:]
    for script in scripts:
        if re.search(r"s(.).*?\1.*?\1[gpiImM0-9]*[ew]|(^|[;\n{}])\s*[0-9$,/!]*\s*[ewW]\b", script):
            ctx.add("run-code", "the sed script runs commands or writes files")
    if any(t.startswith("-i") or t.startswith("--in-place") for t in texts):
        for f in rest:
            check_write(ctx, f, "edits")


def _archive(ctx: Context, name: str, args: list[Field]) -> None:
    texts = [a.text for a in args]
    first = texts[0] if texts else ""
    if name == "tar" and (re.match(r"^-?[a-zA-Z]*t", first) or "--list" in texts):
        return
    if any(
        t.startswith(("--to-command", "--checkpoint-action", "--use-compress-program", "-I")) for t in texts
    ):
        ctx.add("run-code", f"{name} runs a command on the archive")
    for i, t in enumerate(texts[:-1]):
        if t in ("-C", "--directory", "-d", "-o"):
            check_write(ctx, args[i + 1], "extracts files into")
    ctx.add("write-file", f"{name} creates or extracts files")


FILE_HANDLERS: dict[str, Handler] = {
    **dict.fromkeys(("rm", "unlink", "rmdir", "shred", "wipe", "srm", "del", "erase", "rd"), _delete),
    **dict.fromkeys(("mv", "cp", "install", "ln", "rsync", "move", "copy", "xcopy", "robocopy"), _move_copy),
    **dict.fromkeys(
        ("touch", "mkdir", "truncate", "mknod", "mkfifo", "tee", "patch", "split", "csplit"), _writes_operands
    ),
    **dict.fromkeys(("chmod", "chown", "chgrp", "chattr", "setfacl"), _permissions),
    "dd": _dd,
    "sed": _sed,
    **dict.fromkeys(("tar", "unzip", "zip", "7z", "7za", "gzip", "gunzip", "bzip2", "xz", "zstd"), _archive),
}
