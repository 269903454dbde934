"""Expand a lexed word into the words a shell would pass to the program, as far as known.

Known: literals, quotes, ``$'\\x72m'``, variables assigned earlier on the same line
(``X=rm; $X -rf ~``), ``${X:-rm}`` defaults, ``${!X}`` indirection, ``$IFS`` splitting,
brace expansion (``{rm,-rf,~}``) and substitutions that only print a constant
(``$(echo rm)``, ``$(printf '\\x72m')``).  Everything else stays as written and marks the
field ``dynamic`` -- the policy then knows it cannot see what will run.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from deskhand.core.shellrisk.lex import Part, Word
from deskhand.core.shellrisk.quoting import ShellSyntaxError, decode_escapes, match_paren

__all__ = [
    "Field",
    "SubResult",
    "brace_expand",
    "lookup",
    "nested_substitutions",
    "printed",
    "resolve",
    "split_assignment",
]

MAX_FIELDS = 64


@dataclass(frozen=True, slots=True)
class SubResult:
    """What a command substitution prints, if that is known, and where its output comes from."""

    text: str | None
    origins: frozenset[str] = frozenset()  # "network" and/or "decoder"


@dataclass(frozen=True, slots=True)
class Field:
    """One argument as the program will receive it (``text`` as far as known)."""

    text: str
    dynamic: bool = False
    subs: tuple[str, ...] = ()
    origins: frozenset[str] = frozenset()
    procsubs: tuple[str, ...] = ()


@dataclass
class _Builder:
    fields: list[Field] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    started: bool = False
    dynamic: bool = False
    braces: bool = False
    subs: list[str] = field(default_factory=list)
    origins: set[str] = field(default_factory=set)
    procsubs: list[str] = field(default_factory=list)

    def add(self, text: str) -> None:
        self.text.append(text)
        self.started = True

    def add_split(self, value: str) -> None:
        """An unquoted expansion: whitespace in its value separates words."""
        pieces = re.split(r"[ \t\n]+", value)
        for n, piece in enumerate(pieces):
            if n:
                self.close()
            if piece:
                self.add(piece)

    def close(self) -> None:
        if self.started:
            text = "".join(self.text)
            texts = brace_expand(text) if self.braces and not self.dynamic else [text]
            for t in texts:
                self.fields.append(
                    Field(t, self.dynamic, tuple(self.subs), frozenset(self.origins), tuple(self.procsubs))
                )
        self.text, self.started, self.dynamic, self.braces = [], False, False, False


Evaluate = Callable[[str], SubResult]


def resolve(word: Word, env: Mapping[str, str], evaluate: Evaluate, *, split: bool = True) -> list[Field]:
    """The fields ``word`` expands to; ``evaluate`` judges command substitutions."""
    b = _Builder()
    for part in word.parts:
        _add_part(b, part, env, evaluate, split=split)
    b.close()
    if not b.fields and (word.parts and all(p.kind == "qlit" for p in word.parts)):
        b.fields.append(Field(""))  # '' is an (empty) argument
    return b.fields[:MAX_FIELDS]


def _add_part(b: _Builder, part: Part, env: Mapping[str, str], evaluate: Evaluate, *, split: bool) -> None:
    if part.kind == "lit":
        b.add(part.value)
        b.braces = b.braces or ("{" in part.value and "}" in part.value)
    elif part.kind == "qlit":
        b.add(part.value)
    elif part.kind == "var":
        value = lookup(part.value, env)
        if value is None:
            b.add("$" + (part.value if part.value.isidentifier() else "{" + part.value + "}"))
            b.dynamic = True
        elif part.quoted or not split:
            b.add(value)
        else:
            b.add_split(value)
    elif part.kind in ("sub", "procsub", "arith"):
        inner = part.value[1:] if part.kind == "procsub" else part.value
        subs = nested_substitutions(inner) if part.kind == "arith" else [inner]
        results = [evaluate(s) for s in subs]
        b.subs.extend(subs)
        for r in results:
            b.origins |= r.origins
        if part.kind == "procsub":
            b.procsubs.append(inner)
            b.add("/dev/fd/63")
            b.dynamic = True
        elif part.kind == "arith":
            b.add("0")
            b.dynamic = True
        elif results[0].text is None:
            b.add(f"$({inner})")
            b.dynamic = True
        elif part.quoted or not split:
            b.add(results[0].text)
        else:
            b.add_split(results[0].text)


def lookup(expr: str, env: Mapping[str, str]) -> str | None:
    """A ``${...}`` expression's value if it is known from ``env``."""
    if expr.isidentifier():
        return env.get(expr)
    if m := re.fullmatch(r"!([A-Za-z_]\w*)", expr):  # ${!X}: the variable named by X
        name = env.get(m.group(1))
        return env.get(name) if name is not None else None
    if m := re.fullmatch(r"([A-Za-z_]\w*)(:?[-=])(.*)", expr, re.DOTALL):
        value = env.get(m.group(1))
        if value is None or (m.group(2).startswith(":") and not value):
            return _unquote(m.group(3))
        return value
    if m := re.fullmatch(r"([A-Za-z_]\w*):(\d+)(?::(\d+))?", expr):
        value = env.get(m.group(1))
        if value is None:
            return None
        start = int(m.group(2))
        return value[start : start + int(m.group(3))] if m.group(3) else value[start:]
    return None


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def nested_substitutions(text: str) -> list[str]:
    """The ``$(...)`` and backtick commands inside arithmetic or a here-document body."""
    found: list[str] = []
    i = 0
    while i < len(text):
        if text.startswith("$(", i) and not text.startswith("$((", i):
            try:
                end = match_paren(text, i + 1)
            except ShellSyntaxError:
                found.append(text[i + 2 :])
                break
            found.append(text[i + 2 : end])
            i = end + 1
        elif text[i] == "`":
            end = text.find("`", i + 1)
            found.append(text[i + 1 : end if end >= 0 else len(text)])
            i = len(text) if end < 0 else end + 1
        else:
            i += 1
    return found


def split_assignment(word: Word) -> tuple[str, Word] | None:
    """``NAME=value`` (or ``NAME+=value``) as (name, value word), else None."""
    first = word.parts[0] if word.parts else None
    if first is None or first.kind != "lit":
        return None
    m = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)\+?=", first.value)
    if not m:
        return None
    rest = first.value[m.end() :]
    parts = ((Part("lit", rest),) if rest else ()) + word.parts[1:]
    return m.group(1), Word(parts, word.text[m.end() :])


def brace_expand(text: str, budget: int = MAX_FIELDS) -> list[str]:
    """Bash brace expansion: ``a{b,c}d`` -> ``abd acd``; ``{1..3}`` -> ``1 2 3``."""
    start = text.find("{")
    while start >= 0:
        depth, commas, end = 0, [], -1
        for j in range(start, len(text)):
            if text[j] == "{":
                depth += 1
            elif text[j] == "}":
                depth -= 1
                if depth == 0:
                    end = j
                    break
            elif text[j] == "," and depth == 1:
                commas.append(j)
        if end < 0:
            return [text]
        body = text[start + 1 : end]
        if commas:
            bounds = [start, *commas, end]
            alts = [text[bounds[k] + 1 : bounds[k + 1]] for k in range(len(bounds) - 1)]
        elif m := re.fullmatch(r"(-?\d+)\.\.(-?\d+)", body):
            lo, hi = int(m.group(1)), int(m.group(2))
            step = 1 if hi >= lo else -1
            alts = [str(v) for v in range(lo, hi + step, step)][:budget]
        elif m := re.fullmatch(r"([a-zA-Z])\.\.([a-zA-Z])", body):
            lo, hi = ord(m.group(1)), ord(m.group(2))
            step = 1 if hi >= lo else -1
            alts = [chr(v) for v in range(lo, hi + step, step)]
        else:
            start = text.find("{", start + 1)
            continue
        out: list[str] = []
        for alt in alts:
            out.extend(brace_expand(text[:start] + alt + text[end + 1 :], budget))
            if len(out) >= budget:
                break
        return out[:budget]
    return [text]


def printed(program: str, args: list[str]) -> str | None:
    """What ``echo ARGS`` or ``printf ARGS`` prints (escapes decoded), if we can tell."""
    if program == "echo":
        flags = ""
        while args and re.fullmatch(r"-[neE]+", args[0]):
            flags += args.pop(0)
        text = " ".join(args)
        return decode_escapes(text) if "e" in flags else text
    if program == "printf" and args:
        pieces = re.split(r"(%%|%[sb])", args[0])
        values = iter(args[1:])
        out = []
        for piece in pieces:
            if piece == "%%":
                out.append("%")
            elif piece in ("%s", "%b"):
                out.append(decode_escapes(next(values, "")))
            elif "%" in piece:
                return None
            else:
                out.append(decode_escapes(piece))
        return "".join(out).rstrip("\n")
    return None
