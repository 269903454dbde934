"""Split a shell command line into tokens the way a POSIX shell (bash) would.

Why our own lexer rather than ``shlex``: the tricks that hide a command from a policy live
exactly where ``shlex`` is vague -- ``$'\\x72m'`` (ANSI-C quoting), ``r''m`` and ``\\rm``,
``$(...)`` nested in double quotes, backticks, ``<(...)``, ``${X:-rm}``, here-documents,
``2>&1`` versus ``&>``.  Each word keeps its *parts* (literal, quoted literal, variable,
command substitution, process substitution, arithmetic) so the classifier can tell what is
known before the command runs and what is computed at run time.

Anything we cannot follow raises ``ShellSyntaxError``; the policy then asks the user.  Where
a bracketed span ends and what a backslash escape means are in ``shellrisk.quoting``, shared
with word expansion.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

from deskhand.core.shellrisk.quoting import ShellSyntaxError, ansi_c, match_brace, match_paren

__all__ = ["CONTROL_OPS", "MAX_DEPTH", "REDIRECT_OPS", "Op", "Part", "PartKind", "Token", "Word", "tokenize"]

PartKind = Literal["lit", "qlit", "var", "sub", "procsub", "arith"]


@dataclass(frozen=True, slots=True)
class Part:
    """One piece of a word; ``quoted`` expansions are not split into several words."""

    kind: PartKind
    value: str
    quoted: bool = False


@dataclass(frozen=True, slots=True)
class Word:
    parts: tuple[Part, ...]
    text: str  # as written, for messages


@dataclass(frozen=True, slots=True)
class Op:
    """A control operator, or a redirection operator with its file descriptor."""

    value: str
    fd: str = ""
    heredoc: str | None = None


Token = Word | Op

CONTROL_OPS = ("&&", "||", "|&", ";;", "|", "&", ";", "(", ")", "\n")
REDIRECT_OPS = ("&>>", "<<<", "<<-", "&>", ">>", ">&", "<&", ">|", "<>", "<<", ">", "<")
_REDIRECT = re.compile(r"(\d*)(" + "|".join(re.escape(o) for o in REDIRECT_OPS) + ")")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|[0-9]|[@*#?$!\-]")
_WORD_END = frozenset(" \t\n;&|()<>")
MAX_DEPTH = 12
_COMMAND_LIKE = re.compile(r"[A-Za-z_][\w.-]*\s+[-\w/~.'\"$]")
_ARITHMETIC = re.compile(r"[\s\w$+\-*/%<>=!&|^~?:(),\[\]]*")


def _arithmetic(body: str) -> bool:
    """Whether ``body`` can only be arithmetic (numbers, names, operators)."""
    body = re.sub(r"\$\{\w+\}", "x", body)
    return _ARITHMETIC.fullmatch(body) is not None and not _COMMAND_LIKE.search(body)


def tokenize(src: str) -> list[Token]:
    """The tokens of ``src``; here-document bodies are attached to their ``<<`` operators."""
    lexer = _Lexer(src)
    return lexer.run()


class _Lexer:
    def __init__(self, src: str) -> None:
        self.src = src
        self.i = 0
        self.tokens: list[Token] = []
        self.pending: list[tuple[int, str, bool]] = []  # (token index, delimiter, strip tabs)

    def run(self) -> list[Token]:
        src = self.src
        while self.i < len(src):
            c = src[self.i]
            if c in " \t" or src.startswith("\\\n", self.i):
                self.i += 1 if c in " \t" else 2
            elif c == "#" and (not self.tokens or self._boundary()):
                end = src.find("\n", self.i)
                self.i = len(src) if end < 0 else end
            elif c == "\n":
                self.tokens.append(Op("\n"))
                self.i += 1
                self._read_heredocs()
            elif c in "<>" and src.startswith("(", self.i + 1):
                self.tokens.append(self._word())
            elif (m := _REDIRECT.match(src, self.i)) and (not m.group(1) or self._boundary()):
                self.i = m.end()
                self.tokens.append(Op(m.group(2), m.group(1)))
                if m.group(2) in ("<<", "<<-"):
                    self._heredoc_delimiter(m.group(2) == "<<-")
            elif op := next((o for o in CONTROL_OPS if src.startswith(o, self.i)), None):
                self.tokens.append(Op(op))
                self.i += len(op)
            else:
                self.tokens.append(self._word())
        if self.pending:  # bash runs an unterminated here-document to the end of input
            for index, _, _ in self.pending:
                self._attach(index, "")
        return self.tokens

    def _boundary(self) -> bool:
        return self.i == 0 or self.src[self.i - 1] in " \t\n;&|()<>"

    def _heredoc_delimiter(self, strip: bool) -> None:
        while self.i < len(self.src) and self.src[self.i] in " \t":
            self.i += 1
        word = self._word()
        delimiter = "".join(p.value for p in word.parts)
        self.pending.append((len(self.tokens) - 1, delimiter, strip))

    def _read_heredocs(self) -> None:
        for index, delimiter, strip in self.pending:
            lines: list[str] = []
            while self.i < len(self.src):
                end = self.src.find("\n", self.i)
                end = len(self.src) if end < 0 else end
                line = self.src[self.i : end]
                self.i = end + 1
                if (line.lstrip("\t") if strip else line) == delimiter:
                    break
                lines.append(line)
            self._attach(index, "\n".join(lines))
        self.pending = []

    def _attach(self, index: int, body: str) -> None:
        op = self.tokens[index]
        if isinstance(op, Op):
            self.tokens[index] = replace(op, heredoc=body)

    def _word(self) -> Word:
        src, start = self.src, self.i
        parts: list[Part] = []
        while self.i < len(src):
            c = src[self.i]
            if c in "<>" and src.startswith("(", self.i + 1) and self.i == start:
                end = match_paren(src, self.i + 1)
                parts.append(Part("procsub", c + src[self.i + 2 : end]))
                self.i = end + 1
            elif c in _WORD_END:
                if c == "(" and parts and parts[-1].kind == "lit" and parts[-1].value.endswith("="):
                    end = match_paren(src, self.i)  # array assignment a=(x y)
                    parts.append(Part("lit", src[self.i : end + 1]))
                    self.i = end + 1
                    continue
                break
            elif c == "'":
                end = src.find("'", self.i + 1)
                if end < 0:
                    raise ShellSyntaxError("a single quote is not closed")
                parts.append(Part("qlit", src[self.i + 1 : end]))
                self.i = end + 1
            elif c == '"':
                self.i += 1
                parts.extend(self._double_quoted())
            elif c == "\\":
                if src.startswith("\\\n", self.i):
                    self.i += 2
                    continue
                parts.append(Part("qlit", src[self.i + 1 : self.i + 2]))
                self.i += 2
            elif c == "$" and src.startswith("$'", self.i):
                text, self.i = ansi_c(src, self.i + 2)
                parts.append(Part("qlit", text))
            elif c == "$" and src.startswith('$"', self.i):
                self.i += 2
                parts.extend(self._double_quoted())
            elif c in "$`":
                parts.append(self._expansion(quoted=False))
            else:
                parts.append(Part("lit", c))
                self.i += 1
        if not parts:  # only reachable through an empty word such as '' at the start
            parts.append(Part("qlit", ""))
        return Word(tuple(_merge(parts)), src[start : self.i])

    def _double_quoted(self) -> list[Part]:
        src, parts = self.src, list[Part]()
        while True:
            if self.i >= len(src):
                raise ShellSyntaxError("a double quote is not closed")
            c = src[self.i]
            if c == '"':
                self.i += 1
                return parts
            if c == "\\" and src[self.i + 1 : self.i + 2] in ('"', "\\", "$", "`", "\n"):
                nxt = src[self.i + 1]
                if nxt != "\n":
                    parts.append(Part("qlit", nxt))
                self.i += 2
            elif c in "$`":
                parts.append(self._expansion(quoted=True))
            else:
                parts.append(Part("qlit", c))
                self.i += 1

    def _expansion(self, *, quoted: bool) -> Part:
        """``$name``, ``${...}``, ``$(...)``, ``$((...))`` or a backtick substitution."""
        src, i = self.src, self.i
        if src[i] == "`":
            end = i + 1
            while end < len(src) and src[end] != "`":
                end += 2 if src[end] == "\\" else 1
            if end >= len(src):
                raise ShellSyntaxError("a backtick substitution is not closed")
            self.i = end + 1
            inner = re.sub(r"\\([`\\$])", r"\1", src[i + 1 : end])
            return Part("sub", inner, quoted)
        if src.startswith("$((", i):
            end = match_paren(src, i + 1)
            body = src[i + 3 : end - 1]
            # $(( ... )) is arithmetic, unless it cannot be: then a shell might run it as
            # $( (subshell) ), and so do we (two words in a row never occur in arithmetic).
            if match_paren(src, i + 2) == end - 1 and _arithmetic(body):
                self.i = end + 1
                return Part("arith", body, quoted)
        if src.startswith("$(", i):
            end = match_paren(src, i + 1)
            self.i = end + 1
            return Part("sub", src[i + 2 : end], quoted)
        if src.startswith("${", i):
            end = match_brace(src, i + 1)
            self.i = end + 1
            return Part("var", src[i + 2 : end], quoted)
        m = _NAME.match(src, i + 1)
        if m:
            self.i = m.end()
            return Part("var", m.group(0), quoted)
        self.i = i + 1
        return Part("qlit" if quoted else "lit", "$")


def _merge(parts: list[Part]) -> list[Part]:
    merged: list[Part] = []
    for p in parts:
        if merged and p.kind in ("lit", "qlit") and merged[-1].kind == p.kind:
            merged[-1] = Part(p.kind, merged[-1].value + p.value)
        else:
            merged.append(p)
    return merged
