"""Walk a parsed command line and judge every command in it that could run.

The walker is the ``Context`` the program handlers see.  It carries what the shell itself
would carry from one command to the next, because risk depends on it: variables assigned
earlier (``X=rm; $X -rf ~``), the working folder (``cd /etc && rm -r *``), functions
defined (a function that calls itself is a fork bomb), files just downloaded, and what a
pipe feeds into the next command (``curl ... | sh``).  ``$(...)`` is judged once and, if
it only prints a constant, its text is used as the word it becomes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from deskhand.core.shellrisk import programs
from deskhand.core.shellrisk.context import Feed, Finding
from deskhand.core.shellrisk.lex import MAX_DEPTH
from deskhand.core.shellrisk.parse import (
    FunctionDef,
    Group,
    Redirect,
    Script,
    ShellSyntaxError,
    Simple,
    parse,
)
from deskhand.core.shellrisk.paths import HOME, PathKind, kind_of
from deskhand.core.shellrisk.words import Field, SubResult, printed, resolve, split_assignment

__all__ = ["analyse"]


def analyse(command: str) -> list[Finding]:
    """Every finding for ``command``, in order, without duplicates."""
    walker = _Walker(depth=0, env=dict(_DEFAULT_ENV), cwd=HOME)
    walker.code(command)
    return list(dict.fromkeys(walker.findings))


_DEFAULT_ENV = {"HOME": HOME, "IFS": " \t\n"}
_SPECIAL_VARS = {
    "HISTFILE": "history-wipe",
    "HISTSIZE": "history-wipe",
    "HISTFILESIZE": "history-wipe",
    "PATH": "environment",
    "LD_PRELOAD": "environment",
    "LD_LIBRARY_PATH": "environment",
    "LD_AUDIT": "environment",
    "PYTHONPATH": "environment",
    "PROMPT_COMMAND": "code",
    "BASH_ENV": "code",
    "ENV": "code",
    "PS1": "code",
    "PS4": "code",
}


@dataclass
class _Walker:
    depth: int
    env: dict[str, str]
    cwd: str | None
    findings: list[Finding] = field(default_factory=list)
    functions: set[str] = field(default_factory=set)
    downloaded: set[str] = field(default_factory=set)
    stdin: Feed | None = None
    _cache: dict[str, SubResult] = field(default_factory=dict)

    # ------------------------------------------------------------------ Context for handlers

    def add(self, rule: str, detail: str) -> None:
        self.findings.append(Finding(rule, detail))

    def kind(self, path: str) -> PathKind:
        return kind_of(path, self.cwd)

    def code(self, text: str, *, origins: frozenset[str] = frozenset(), dynamic: bool = False) -> None:
        """Judge ``text`` as shell code that will run (a line, ``sh -c``, ``eval``...)."""
        if "network" in origins:
            self.add("remote-code", "runs code downloaded from the network")
        if "decoder" in origins:
            self.add("hidden-code", "runs commands hidden by encoding")
        if dynamic:
            self.add("computed-command", "runs a command computed when it runs")
        if self.depth > MAX_DEPTH:
            self.add("unparsable", "commands are nested too deeply to follow")
            return
        try:
            script = parse(text, self.depth)
        except (ShellSyntaxError, RecursionError) as exc:
            self.add("unparsable", f"cannot be parsed safely ({exc})")
            self._scan_unparsed(text)
            return
        self.script(script)

    def child(self) -> _Walker:
        return _Walker(
            self.depth + 1, dict(self.env), self.cwd, self.findings, set(self.functions), self.downloaded
        )

    def run_argv(self, fields: list[Field]) -> None:
        if fields:
            programs.run(self, fields)

    # ------------------------------------------------------------------ the tree

    def script(self, script: Script) -> None:
        for pipeline in script:
            feeds: list[Feed] = []
            for command in pipeline:
                self.stdin = _merge(feeds) if feeds else None
                feeds.append(self.command(command))
            self.stdin = None

    def command(self, command: Simple | Group | FunctionDef) -> Feed:
        if isinstance(command, FunctionDef):
            if command.name in _called_names(command.body):
                self.add("fork-bomb", f"the function {command.name!r} calls itself (a fork bomb)")
            self.functions.add(command.name)
            self.command(command.body)
            return Feed()
        if isinstance(command, Group):
            stdin = self.stdin
            for r in command.redirects:
                self.redirect(r)
            self.script(command.body)
            self.stdin = stdin
            return Feed()
        return self.simple(command)

    def simple(self, command: Simple) -> Feed:
        words = list(command.words)
        prefix: list[tuple[str, Field]] = []
        while words and (split := split_assignment(words[0])) is not None:
            name, value_word = split
            fields = resolve(value_word, self.env, self.evaluate, split=False)
            prefix.append((name, fields[0] if fields else Field("")))
            words.pop(0)
        for name, value in prefix:
            self.assign(name, value, persist=not words)
        stdin_text = None
        for r in command.redirects:
            stdin_text = self.redirect(r) or stdin_text
        fields = [f for w in words for f in resolve(w, self.env, self.evaluate)]
        if not fields:
            return Feed()
        if stdin_text is not None:
            self.stdin = Feed(text=stdin_text)
        feed = programs.run(self, fields)
        return feed

    def assign(self, name: str, value: Field, *, persist: bool) -> None:
        special = _SPECIAL_VARS.get(name)
        if special == "history-wipe" and (
            value.text in ("", "0") or self.kind(value.text) is PathKind.DISCARD
        ):
            self.add("history-wipe", f"{name}={value.text or '(empty)'} stops the shell history")
        elif special == "environment":
            self.add("environment", f"sets {name}, which changes what programs run")
        elif special == "code":
            self.code(value.text, origins=value.origins, dynamic=value.dynamic)
        if persist:
            if value.dynamic:
                self.env.pop(name, None)
            else:
                self.env[name] = value.text

    def redirect(self, r: Redirect) -> str | None:
        """Judge a redirection; returns the text a here-document/-string feeds to stdin."""
        if r.heredoc is not None:
            for sub in programs.nested(r.heredoc):
                self.evaluate(sub)
            return r.heredoc
        if r.dest is None:
            return None
        fields = resolve(r.dest, self.env, self.evaluate, split=False)
        dest = fields[0] if fields else Field("")
        if r.op == "<<<":
            return dest.text
        if r.writes:
            programs.check_write(self, dest, "writes to")
        elif dest.text.startswith("/dev/tcp/") or dest.text.startswith("/dev/udp/"):
            self.add("network", f"opens a network connection ({dest.text})")
            return None
        elif self.kind(dest.text) is PathKind.CREDENTIAL:
            self.add("credentials", f"reads {dest.text}, which holds keys or passwords")
        if "/dev/tcp/" in dest.text or "/dev/udp/" in dest.text:
            self.add("network", f"opens a network connection ({dest.text})")
        return None

    # ------------------------------------------------------------------ substitutions

    def evaluate(self, command: str) -> SubResult:
        """Judge a ``$(...)`` once; tell what it prints if that is a constant."""
        if command in self._cache:
            return self._cache[command]
        inner = self.child()
        inner.code(command)
        result = SubResult(_static_output(command, self.env), frozenset(_origins(command)))
        self._cache[command] = result
        return result

    def _scan_unparsed(self, text: str) -> None:
        """Last resort for text we could not parse: look for the worst fragments."""
        for pattern, rule, detail in programs.FRAGMENTS:
            if pattern.search(text):
                self.add(rule, detail)


def _merge(feeds: list[Feed]) -> Feed:
    origins = frozenset().union(*(f.origins for f in feeds))
    text = feeds[0].text if len(feeds) == 1 else None
    return Feed(origins=origins, text=text, source=feeds[-1].source)


def _called_names(command: Simple | Group | FunctionDef) -> set[str]:
    if isinstance(command, Simple):
        names = {w.text for w in command.words[:1]}
        return names | {w.text.lstrip("&") for w in command.words}
    if isinstance(command, FunctionDef):
        return _called_names(command.body)
    return {n for pipeline in command.body for c in pipeline for n in _called_names(c)}


def _origins(command: str) -> set[str]:
    try:
        script = parse(command, 1)
    except ShellSyntaxError:
        return set()
    return {o for pipeline in script for c in pipeline for o in programs.feed_of(c).origins}


def _static_output(command: str, env: dict[str, str]) -> str | None:
    """What ``echo X`` / ``printf X`` (optionally ``| rev``) prints, if it is a constant."""
    try:
        script = parse(command, 1)
    except ShellSyntaxError:
        return None
    if len(script) != 1 or not all(isinstance(c, Simple) for c in script[0]):
        return None
    stages = [c for c in script[0] if isinstance(c, Simple)]
    first = [f for w in stages[0].words for f in resolve(w, env, _no_subs)]
    if not first or any(f.dynamic for f in first) or stages[0].redirects:
        return None
    out = printed(first[0].text, [f.text for f in first[1:]])
    for stage in stages[1:]:
        words = [w.text for w in stage.words]
        if words != ["rev"]:
            return None
        out = "\n".join(line[::-1] for line in (out or "").split("\n"))
    return out


def _no_subs(command: str) -> SubResult:
    return SubResult(None)
