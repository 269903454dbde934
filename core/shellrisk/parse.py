"""Shell tokens into a small syntax tree: lists of pipelines of simple commands and groups.

The tree is only as rich as risk needs: which commands run, which feed which through a
pipe, what is redirected where, which functions are defined.  ``&&``/``||``/``;``/``&``
are all treated as "and then": for risk, a command that *might* run counts as running.
Keywords (``if``, ``then``, ``while``, ``do``, ...) are skipped so the commands inside are
judged; ``case`` is not followed and raises ``ShellSyntaxError`` (the policy then asks).
"""

from __future__ import annotations

from dataclasses import dataclass

from deskhand.core.shellrisk.lex import MAX_DEPTH, REDIRECT_OPS, Op, Part, Token, Word, tokenize
from deskhand.core.shellrisk.quoting import ShellSyntaxError

__all__ = [
    "Command",
    "FunctionDef",
    "Group",
    "Pipeline",
    "Redirect",
    "Script",
    "ShellSyntaxError",
    "Simple",
    "parse",
]


@dataclass(frozen=True, slots=True)
class Redirect:
    op: str
    fd: str
    dest: Word | None  # None for here-documents
    heredoc: str | None = None

    @property
    def writes(self) -> bool:
        if self.op in (">&", "<&") and self.dest is not None:
            # 2>&1, >&- duplicate or close descriptors; ">&file" writes a file (bash).
            return self.op == ">&" and not (self.dest.text.isdigit() or self.dest.text == "-")
        return self.op in (">", ">>", ">|", "&>", "&>>", "<>")


@dataclass(frozen=True, slots=True)
class Simple:
    words: tuple[Word, ...]
    redirects: tuple[Redirect, ...] = ()


@dataclass(frozen=True, slots=True)
class Group:
    body: Script
    redirects: tuple[Redirect, ...] = ()


@dataclass(frozen=True, slots=True)
class FunctionDef:
    name: str
    body: Command


Command = Simple | Group | FunctionDef
Pipeline = tuple[Command, ...]
Script = tuple[Pipeline, ...]

_KEYWORDS = frozenset(
    {"!", "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "time", "coproc"}
)
_SEPARATORS = frozenset({";", "&", "&&", "||", "\n"})
_MAX_NESTING = 60


def parse(src: str, depth: int = 0) -> Script:
    """Parse a command line; raise ``ShellSyntaxError`` if it can't be followed."""
    if depth > MAX_DEPTH:
        raise ShellSyntaxError("commands are nested too deeply")
    parser = _Parser(tokenize(src))
    script = parser.script(closer=None)
    if parser.pos < len(parser.tokens):
        raise ShellSyntaxError(f"unexpected {_show(parser.tokens[parser.pos])}")
    return script


def _show(token: Token) -> str:
    return repr(token.value if isinstance(token, Op) else token.text)


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.nesting = 0

    def peek(self) -> Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def is_op(self, *values: str) -> bool:
        tok = self.peek()
        return isinstance(tok, Op) and tok.value in values

    def is_word(self, *values: str) -> bool:
        tok = self.peek()
        return isinstance(tok, Word) and tok.text in values

    def script(self, closer: str | None) -> Script:
        pipelines: list[Pipeline] = []
        while True:
            while self.is_op(*_SEPARATORS) or self.is_word(*_KEYWORDS):
                self.pos += 1
            tok = self.peek()
            if tok is None:
                if closer is not None:
                    raise ShellSyntaxError(f"a group is not closed with {closer!r}")
                return tuple(pipelines)
            if closer is not None and (self.is_op(closer) or self.is_word(closer)):
                self.pos += 1
                return tuple(pipelines)
            pipelines.append(self.pipeline())
            tok = self.peek()
            if (
                tok is not None
                and not self.is_op(*_SEPARATORS)
                and not (closer is not None and (self.is_op(closer) or self.is_word(closer)))
            ):
                raise ShellSyntaxError(f"unexpected {_show(tok)}")  # bash refuses this line too

    def pipeline(self) -> Pipeline:
        commands = [self.command()]
        while self.is_op("|", "|&"):
            self.pos += 1
            while self.is_op("\n") or self.is_word(*_KEYWORDS):
                self.pos += 1
            commands.append(self.command())
        return tuple(commands)

    def command(self) -> Command:
        self.nesting += 1
        try:
            if self.nesting > _MAX_NESTING:
                raise ShellSyntaxError("groups are nested too deeply")
            return self._command()
        finally:
            self.nesting -= 1

    def _command(self) -> Command:
        if self.is_op("("):
            self.pos += 1
            return Group(self.script(closer=")"), self.redirects())
        if self.is_word("{"):
            self.pos += 1
            return Group(self.script(closer="}"), self.redirects())
        if self.is_word("case", "select"):
            raise ShellSyntaxError("case/select statements are not analysed")
        if self.is_word("function"):
            self.pos += 1
            name = self.peek()
            if not isinstance(name, Word):
                raise ShellSyntaxError("function without a name")
            self.pos += 1
            if self.is_op("("):
                self.expect_close_paren()
            return FunctionDef(name.text, self.body())
        if self.is_word("for"):
            return self.for_loop()
        return self.simple()

    def expect_close_paren(self) -> None:
        self.pos += 1
        if not self.is_op(")"):
            raise ShellSyntaxError("expected ')' after '('")
        self.pos += 1

    def body(self) -> Command:
        while self.is_op("\n"):
            self.pos += 1
        if self.peek() is None:
            raise ShellSyntaxError("a function has no body")
        return self.command()

    def for_loop(self) -> Command:
        """``for x in WORDS; do`` -- the loop list is judged as the words of ``:``."""
        self.pos += 2
        words: list[Word] = []
        while (tok := self.peek()) is not None and not (isinstance(tok, Op) and tok.value in _SEPARATORS):
            if isinstance(tok, Op):
                raise ShellSyntaxError(f"unexpected {_show(tok)} in a for loop")
            if tok.text != "in":
                words.append(tok)
            self.pos += 1
        return Simple((Word((Part("lit", ":"),), ":"), *words))

    def simple(self) -> Command:
        words: list[Word] = []
        redirects: list[Redirect] = []
        while (tok := self.peek()) is not None:
            if isinstance(tok, Word):
                if tok.text == "}" and not words:
                    break
                words.append(tok)
                self.pos += 1
            elif tok.value in REDIRECT_OPS:
                redirects.append(self.redirect(tok))
            elif tok.value == "(" and len(words) == 1 and not redirects:
                self.expect_close_paren()
                return FunctionDef(words[0].text, self.body())
            else:
                break
        if not words and not redirects:
            tok = self.peek()
            raise ShellSyntaxError(f"unexpected {_show(tok) if tok else 'end of command'}")
        return Simple(tuple(words), tuple(redirects))

    def redirect(self, op: Op) -> Redirect:
        self.pos += 1
        if op.value in ("<<", "<<-"):
            self.pos += 1  # the delimiter word; the lexer attached the body
            return Redirect(op.value, op.fd, None, op.heredoc or "")
        dest = self.peek()
        if not isinstance(dest, Word):
            raise ShellSyntaxError(f"redirection {op.value!r} has no target")
        self.pos += 1
        return Redirect(op.value, op.fd, dest)

    def redirects(self) -> tuple[Redirect, ...]:
        found = []
        while (tok := self.peek()) is not None and isinstance(tok, Op) and tok.value in REDIRECT_OPS:
            found.append(self.redirect(tok))
        return tuple(found)
