"""How shell quoting is read: where a bracketed span ends, and what backslash escapes mean.

Both the lexer (``shellrisk.lex``) and word expansion (``shellrisk.words``: what ``printf`` and
``echo -e`` print) need these rules, so they live below both.  ``ShellSyntaxError`` lives
here too, at the bottom of the shell modules, because every layer above raises it.
"""

from __future__ import annotations

import re

from deskhand.core.errors import DeskhandError

__all__ = ["ShellSyntaxError", "ansi_c", "decode_escape", "decode_escapes", "match_brace", "match_paren"]


class ShellSyntaxError(DeskhandError, ValueError):
    """The command cannot be split reliably (unbalanced quotes, too deep, ...)."""


def match_paren(src: str, i: int) -> int:
    """Index of the ``)`` matching the ``(`` at ``i``, skipping quoted text."""
    return _match(src, i, "(", ")")


def match_brace(src: str, i: int) -> int:
    return _match(src, i, "{", "}")


def _match(src: str, i: int, open_: str, close: str) -> int:
    depth = 0
    j = i
    while j < len(src):
        c = src[j]
        if c == "\\":
            j += 2
            continue
        if c == "'" and open_ == "(":
            end = src.find("'", j + 1)
            if end < 0:
                break
            j = end + 1
            continue
        if c in '"`':
            j = _skip_quoted(src, j)
            continue
        if c == open_:
            depth += 1
        elif c == close:
            depth -= 1
            if depth == 0:
                return j
        j += 1
    raise ShellSyntaxError(f"a {open_!r} is not closed")


def _skip_quoted(src: str, j: int) -> int:
    quote = src[j]
    j += 1
    while j < len(src) and src[j] != quote:
        if src[j] == "\\":
            j += 1
        elif quote == '"' and src.startswith("$(", j):
            j = match_paren(src, j + 1)
        j += 1
    if j >= len(src):
        raise ShellSyntaxError(f"a {quote} quote is not closed")
    return j + 1


_ANSI = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "a": "\a",
    "b": "\b",
    "e": "\x1b",
    "E": "\x1b",
    "f": "\f",
    "v": "\v",
}


def ansi_c(src: str, i: int) -> tuple[str, int]:
    """Decode a ``$'...'`` string starting after its opening quote; returns (text, end)."""
    out: list[str] = []
    while i < len(src):
        c = src[i]
        if c == "'":
            return "".join(out), i + 1
        if c != "\\" or i + 1 >= len(src):
            out.append(c)
            i += 1
            continue
        text, i = decode_escape(src, i + 1)
        out.append(text)
    raise ShellSyntaxError("a $'...' string is not closed")


def decode_escape(src: str, i: int) -> tuple[str, int]:
    """One backslash escape (the backslash is at ``i - 1``) as echo -e, printf and $'' read it."""
    c = src[i]
    if c in _ANSI:
        return _ANSI[c], i + 1
    if c == "x" and (m := re.match(r"[0-9a-fA-F]{1,2}", src[i + 1 :])):
        return chr(int(m.group(0), 16)), i + 1 + m.end()
    if c in "uU" and (m := re.match(r"[0-9a-fA-F]{1,8}", src[i + 1 :])):
        code = int(m.group(0), 16)
        return (chr(code) if code <= 0x10FFFF else "?"), i + 1 + m.end()
    if c == "0" and (m := re.match(r"[0-7]{1,3}", src[i + 1 :])):  # echo -e's \0NNN
        return chr(int(m.group(0), 8) & 0xFF), i + 1 + m.end()
    if m := re.match(r"[0-7]{1,3}", src[i:]):
        return chr(int(m.group(0), 8) & 0xFF), i + m.end()
    if c == "c" and i + 1 < len(src):
        return chr(ord(src[i + 1]) & 0x1F), i + 2
    return ("" if c == "\n" else c if c in "'\"\\?" else "\\" + c), i + 1


def decode_escapes(text: str) -> str:
    """All backslash escapes in ``text`` decoded (``echo -e`` / ``printf`` format)."""
    out: list[str] = []
    i = 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            piece, i = decode_escape(text, i + 1)
            out.append(piece)
        else:
            out.append(text[i])
            i += 1
    return "".join(out)
