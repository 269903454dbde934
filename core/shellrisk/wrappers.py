"""Handlers for programs that run *other* commands or code.

Wrappers (``sudo``, ``env``, ``timeout``, ``busybox`` ...), interpreters (``sh -c``,
``python -c``, a pipe into ``bash``), ``eval``/``source``, ``watch``, ``xargs`` and
``find -exec``: each finds the command or code that will really run and hands it back to
the classifier, together with where it comes from (typed out, downloaded, decoded).
"""

from __future__ import annotations

import re

from deskhand.core.shellrisk.context import Context, Handler, operands
from deskhand.core.shellrisk.files import FILE_HANDLERS, TREE_KINDS, check_write, scan_credentials
from deskhand.core.shellrisk.rules import (
    ACCOUNTS,
    CODE_FLAGS,
    CODE_OPTIONS,
    DISK_TOOLS,
    ENCODED_FLAGS,
    FRAGMENTS,
    INSTALLERS,
    INTERPRETERS,
    NETWORK,
    POWER,
    PRIVILEGE,
    PROCESS,
    READ_ONLY,
    SHELLS,
    WRAPPERS,
    words,
)
from deskhand.core.shellrisk.system import SYSTEM_HANDLERS
from deskhand.core.shellrisk.words import Field

__all__ = ["EXEC_HANDLERS", "KNOWN_PROGRAMS", "program_name"]

KNOWN_PROGRAMS = (
    READ_ONLY | PRIVILEGE | INTERPRETERS | NETWORK | PROCESS | POWER | INSTALLERS | DISK_TOOLS | ACCOUNTS
    | frozenset(WRAPPERS) | frozenset(FILE_HANDLERS) | frozenset(SYSTEM_HANDLERS)
    | words("git find xargs eval source . watch su runuser flock script make tar mkfs shred dd")
)  # fmt: skip


def program_name(text: str) -> str:
    name = text.replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"\.(exe|com|bat|cmd)$", "", name, flags=re.IGNORECASE)
    if m := re.fullmatch(r"(python|pypy|perl|ruby|php|lua|node|pip)[\d.]*", name):
        return {"pip": "pip", "python": "python3"}.get(m.group(1), m.group(1))
    if name.startswith("mkfs.") or name.startswith("mkfs"):
        return "mkfs"
    return name


_PRIVILEGED_OPTIONS = words("-s -g -G -w -u --shell --group --user -C -E")


def _wrapper(ctx: Context, name: str, args: list[Field]) -> None:
    """Peel a wrapper off and judge what it runs (``sudo`` also adds ``privilege``)."""
    with_value, skip = WRAPPERS.get(name, (_PRIVILEGED_OPTIONS, 0))
    code_options = CODE_OPTIONS.get(name, ())
    ran_code = False
    for k, a in enumerate(args[:-1]):  # su/runuser/flock/script: -c CMD may come anywhere
        if a.text in code_options:
            code = args[k + 1]
            ctx.code(code.text, origins=code.origins, dynamic=code.dynamic)
            ran_code = True
    i = 0
    while i < len(args):
        t = args[i].text
        if t == "--":
            i += 1
            break
        if name == "env" and (m := re.match(r"^([A-Za-z_]\w*)=(.*)$", t, re.DOTALL)):
            ctx.assign(m.group(1), Field(m.group(2), args[i].dynamic), persist=False)
        elif name == "env" and t in ("-S", "--split-string") and i + 1 < len(args):
            ctx.code(args[i + 1].text, origins=args[i + 1].origins, dynamic=args[i + 1].dynamic)
            return
        elif name == "command" and t in ("-v", "-V"):
            return
        elif not (t.startswith("-") and len(t) > 1):
            break
        elif t in with_value or t in code_options:
            i += 1
        i += 1
    rest = args[i:]
    if name in ("su", "runuser", "script", "ksu", "sudoedit"):
        inner: list[Field] = []
    elif name == "flock":
        inner = [] if ran_code else rest[1:]
    else:
        inner = rest[skip:]
    if name in PRIVILEGE:
        what = inner[0].text if inner else ("a command" if ran_code else "a shell")
        ctx.add("privilege", f"{name} runs {what} with administrator rights")
    if name == "systemd-run":
        ctx.add("process", "systemd-run starts a service")
    if name == "script":
        ctx.add("write-file", "script records the session into a file")
    if inner:
        ctx.run_argv(inner)


def _interpreter(ctx: Context, name: str, args: list[Field]) -> None:
    texts = [a.text for a in args]
    if name in ("pwsh", "powershell") and any(t.lower() in ENCODED_FLAGS for t in texts):
        ctx.add("hidden-code", f"{name} runs a base64-encoded command")
        return
    if name in ("awk", "gawk", "mawk", "nawk", "busybox-awk"):
        _awk(ctx, name, args)
        return
    flags = CODE_FLAGS.get(name, ())
    for i, t in enumerate(texts):
        shell_c = name in SHELLS and re.fullmatch(r"-[a-zA-Z]*c[a-zA-Z]*", t) is not None
        if t in flags or shell_c:
            if i + 1 >= len(args):
                _from_stdin(ctx, name)
            elif name in SHELLS:
                code = args[i + 1]
                ctx.code(code.text, origins=code.origins, dynamic=code.dynamic)
            else:
                _inline_code(ctx, name, args[i + 1])
            return
        if t == "-m" and name in ("python3", "pypy"):
            ctx.add("run-code", f"{name} runs the module {texts[i + 1] if i + 1 < len(texts) else ''}")
            return
        if not t.startswith("-") or t == "-":
            break
    _, rest = operands(args, words("-O -o +O +o -W -X -I -r --require"))
    if not rest or rest[0].text in ("-", "/dev/stdin") or (name in SHELLS and "-s" in texts):
        _from_stdin(ctx, name)
        return
    script = rest[0]
    if script.procsubs:
        ctx.code("", origins=script.origins)
        ctx.add("run-code", f"{name} runs the output of {script.procsubs[0][:40]!r} as a script")
    elif script.text.rsplit("/", 1)[-1] in ctx.downloaded:
        ctx.add("remote-code", f"{name} runs {script.text}, which was just downloaded")
    else:
        ctx.add("run-code", f"{name} runs the script {script.text}")


def _from_stdin(ctx: Context, name: str) -> None:
    feed = ctx.stdin
    if feed is None:
        ctx.add("run-code", f"starts {name}, which can run anything")
        return
    if feed.origins:
        ctx.code("", origins=feed.origins)
    if feed.text is not None and name in SHELLS:
        ctx.code(feed.text)
    ctx.add("run-code", f"feeds {feed.source or 'text'} into {name}, which runs it")


def _inline_code(ctx: Context, name: str, code: Field) -> None:
    ctx.add("run-code", f"{name} runs inline code")
    if code.origins:
        ctx.code("", origins=code.origins)
    for pattern, rule, detail in FRAGMENTS:
        if pattern.search(code.text):
            ctx.add(rule, detail)
    for literal in re.findall(r"'([^'\n]*)'|\"([^\"\n]*)\"", code.text):
        text = literal[0] or literal[1]
        words = text.split()
        if words and program_name(words[0]) in KNOWN_PROGRAMS - READ_ONLY:
            ctx.code(text)
    scan_credentials(ctx, [Field(t) for t in re.findall(r"[~/\w.\-]*\.[\w.\-/]+|/etc/\w+", code.text)])


def _awk(ctx: Context, name: str, args: list[Field]) -> None:
    _, rest = operands(args, words("-F -v -f --field-separator --assign --file"))
    if any(a.text in ("-f", "--file") for a in args):
        ctx.add("run-code", f"{name} runs a program file")
        return
    program = rest[0].text if rest else ""
    if re.search(r"\bsystem\s*\(|\|\s*\"|\"\s*\||\bgetline\b|\bprintf?\b[^;}]*>", program):
        ctx.add("run-code", f"the {name} program runs commands or writes files")
        for literal in re.findall(r"\"([^\"]*)\"", program):
            if literal.split() and program_name(literal.split()[0]) in KNOWN_PROGRAMS:
                ctx.code(literal)


def _eval_source(ctx: Context, name: str, args: list[Field]) -> None:
    if name == "eval":
        code = " ".join(a.text for a in args)
        origins = frozenset().union(*(a.origins for a in args)) if args else frozenset()
        ctx.code(code, origins=origins, dynamic=any(a.dynamic for a in args))
        return
    if not args:
        return
    script = args[0]
    if script.procsubs or script.text in ("/dev/stdin", "-"):
        ctx.code("", origins=script.origins)
        if script.text in ("/dev/stdin", "-"):
            _from_stdin(ctx, name)
        else:
            ctx.add("run-code", f"{name} runs the output of {script.procsubs[0][:40]!r}")
    elif script.text.rsplit("/", 1)[-1] in ctx.downloaded:
        ctx.add("remote-code", f"{name} runs {script.text}, which was just downloaded")
    else:
        ctx.add("run-code", f"{name} runs the script {script.text}")


def _watch(ctx: Context, name: str, args: list[Field]) -> None:
    """watch joins its words and runs them with ``sh -c`` (or as argv with ``-x``): judge both."""
    rest = _after_options(args, words("-n --interval -q --equexit"))
    if rest:
        ctx.code(" ".join(a.text for a in rest), dynamic=any(a.dynamic for a in rest))
        ctx.run_argv(rest)


def _after_options(args: list[Field], with_value: frozenset[str]) -> list[Field]:
    """The words after a wrapper's own leading options (the wrapped command and its args)."""
    i = 0
    while i < len(args) and args[i].text.startswith("-") and len(args[i].text) > 1:
        if args[i].text == "--":
            return args[i + 1 :]
        i += 2 if args[i].text in with_value else 1
    return args[i:]


def _xargs(ctx: Context, name: str, args: list[Field]) -> None:
    with_value = words("-I -n -L -P -s -d -E -a --arg-file --max-args --max-lines --max-procs --delimiter --eof --max-chars")  # fmt: skip
    inner = _after_options(args, with_value) or [Field("echo")]
    feed = ctx.stdin
    if feed is not None and feed.text is not None:
        inner = inner + [Field(w) for w in feed.text.split()]
    ctx.run_argv(inner)
    if feed is not None and feed.origins and program_name(inner[0].text) in INTERPRETERS:
        ctx.code("", origins=feed.origins)


_FIND_FILTERS = words("-name -iname -path -ipath -wholename -iwholename -regex -iregex -newer -mtime -mmin -atime -amin -ctime -cmin -size -user -group -uid -gid -perm -empty -links -inum -samefile -lname -ilname -newermt -used")  # fmt: skip


def _find(ctx: Context, name: str, args: list[Field]) -> None:
    texts = [a.text for a in args]
    i = 0
    while i < len(texts) and texts[i] in ("-H", "-L", "-P", "-D", "-O3", "-O2", "-O1"):
        i += 2 if texts[i] == "-D" else 1
    roots = []
    while i < len(texts) and not texts[i].startswith(("-", "(", "!", ")")):
        roots.append(args[i])
        i += 1
    roots = roots or [Field(".")]
    filtered = any(t in _FIND_FILTERS for t in texts[i:])
    j = i
    while j < len(texts):
        t = texts[j]
        if t in ("-exec", "-execdir", "-ok", "-okdir"):
            end = next((k for k in range(j + 1, len(texts)) if texts[k] in (";", "+")), len(texts))
            for root in roots:
                here = root.text.rstrip("/") + "/{}" if filtered else root.text
                ctx.run_argv(
                    [
                        Field(a.text.replace("{}", here), a.dynamic, a.subs, a.origins)
                        for a in args[j + 1 : end]
                    ]
                )
            j = end
        elif t == "-delete":
            for root in roots:
                if not filtered and ctx.kind(root.text) in TREE_KINDS:
                    ctx.add("wipe-tree", f"find -delete empties {root.text}")
                else:
                    ctx.add("delete", f"find -delete deletes files under {root.text}")
        elif t in ("-fprint", "-fprint0", "-fprintf", "-fls") and j + 1 < len(args):
            check_write(ctx, args[j + 1], "writes to")
        j += 1


EXEC_HANDLERS: dict[str, Handler] = {
    **dict.fromkeys((*WRAPPERS, *PRIVILEGE, *CODE_OPTIONS), _wrapper),
    **dict.fromkeys(INTERPRETERS, _interpreter),
    "eval": _eval_source,
    "source": _eval_source,
    ".": _eval_source,
    "watch": _watch,
    "xargs": _xargs,
    "find": _find,
}
