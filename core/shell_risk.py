"""How risky a shell command is, from its words alone.

The command is parsed like a shell would (``shell_lex``, ``shell_parse``), every word is
expanded as far as it can be known before running (``shell_words``), and every command that
*could* run -- in pipelines, ``&&`` chains, groups, ``$(...)``, ``sh -c`` strings, behind
``sudo``/``env``/``xargs``/``find -exec`` -- is judged by the rules in ``shell_rules`` and
the program handlers in ``shell_programs``.  Data flow matters too: what a pipe feeds into a
shell, what ``$(curl ...)`` puts into ``sh -c``, what was downloaded and then run.

Each finding names a rule; the worst level wins.  Read-only commands run without asking so
the user keeps reading the prompts that matter; unknown programs ask; a command we cannot
follow asks.  ``unlocked`` rules (from settings) ask instead of blocking.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from deskhand.core import shell_programs
from deskhand.core.shell_exec import KNOWN_PROGRAMS, program_name
from deskhand.core.shell_lex import MAX_DEPTH, Part, Word, tokenize
from deskhand.core.shell_parse import FunctionDef, Group, Redirect, Script, ShellSyntaxError, Simple, parse
from deskhand.core.shell_paths import HOME, PathKind, kind_of
from deskhand.core.shell_programs import Feed, Finding
from deskhand.core.shell_rules import RULES
from deskhand.core.shell_words import Field, SubResult, brace_expand, printed, resolve, split_assignment
from deskhand.core.verdict import Level

__all__ = ["Finding", "ShellRisk", "classify_command", "starts_like_a_command"]


@dataclass(frozen=True, slots=True)
class ShellRisk:
    level: Level
    reason: str
    unknown_program: bool = False
    needs_shell: bool = False
    rules: tuple[str, ...] = ()  # ids of the rules that decided the level
    findings: tuple[Finding, ...] = ()


_AUTO_REASON = "read-only command"
_SHELL_SYNTAX = re.compile(r"[|&;<>()$`\\*?\[\]~{}\n#]|^\s*[A-Za-z_]\w*=")  # quotes alone: shlex copes


def classify_command(command: str, *, unlocked: frozenset[str] = frozenset()) -> ShellRisk:
    """Classify a command line; the worst finding decides, unlocked block rules only ask."""
    findings = analyse(command)
    needs_shell = bool(_SHELL_SYNTAX.search(command))
    if not findings:
        return ShellRisk(Level.AUTO, _AUTO_REASON, needs_shell=needs_shell)
    levels = [_level(f.rule, unlocked) for f in findings]
    top = max(levels, key=lambda lv: lv.rank)
    decisive = [f for f, lv in zip(findings, levels, strict=True) if lv is top]
    first = decisive[0]
    reason = first.detail
    if top is Level.BLOCK:
        reason = f"blocked: {reason}"
    elif RULES[first.rule].level is Level.BLOCK:
        reason = f"{reason} (rule {first.rule!r} unlocked in settings)"
    return ShellRisk(
        top,
        reason,
        unknown_program=any(f.rule == "unknown-program" for f in findings),
        needs_shell=needs_shell,
        rules=tuple(dict.fromkeys(f.rule for f in decisive)),
        findings=tuple(findings),
    )


def _level(rule: str, unlocked: frozenset[str]) -> Level:
    level = RULES[rule].level
    return Level.CONFIRM if level is Level.BLOCK and rule in unlocked else level


def analyse(command: str) -> list[Finding]:
    """Every finding for ``command``, in order, without duplicates."""
    walker = _Walker(depth=0, env=dict(_DEFAULT_ENV), cwd=HOME)
    walker.code(command)
    return list(dict.fromkeys(walker.findings))


_KEYWORDS = frozenset(
    {"if", "then", "else", "elif", "while", "until", "for", "do", "case", "function", "{", "!", "[[", "(("}
)
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
            shell_programs.run(self, fields)

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
        feed = shell_programs.run(self, fields)
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
            for sub in shell_programs.nested(r.heredoc):
                self.evaluate(sub)
            return r.heredoc
        if r.target is None:
            return None
        fields = resolve(r.target, self.env, self.evaluate, split=False)
        target = fields[0] if fields else Field("")
        if r.op == "<<<":
            return target.text
        if r.writes:
            shell_programs.check_write(self, target, "writes to")
        elif target.text.startswith("/dev/tcp/") or target.text.startswith("/dev/udp/"):
            self.add("network", f"opens a network connection ({target.text})")
            return None
        elif self.kind(target.text) is PathKind.CREDENTIAL:
            self.add("credentials", f"reads {target.text}, which holds keys or passwords")
        if "/dev/tcp/" in target.text or "/dev/udp/" in target.text:
            self.add("network", f"opens a network connection ({target.text})")
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
        for pattern, rule, detail in shell_programs.FRAGMENTS:
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
    return {o for pipeline in script for c in pipeline for o in shell_programs.feed_of(c).origins}


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


def starts_like_a_command(line: str) -> bool:
    """Whether a line of typed text begins with a program name a shell would run.

    The first word is read the way the shell reads it, so ``r''m``, ``\\rm`` and
    ``$'\\x72m'`` count as ``rm``; a word the shell computes (``$X``, ``$(...)``) counts too.
    """
    try:
        words = [t for t in tokenize(line.strip()) if isinstance(t, Word)]
    except ShellSyntaxError:
        words = [Word((Part("lit", w),), w) for w in re.split(r"[\s;&|()`]+", line.strip()) if w]
    while words and (assignment := split_assignment(words[0])) is not None:
        if any(p.kind in ("sub", "procsub") for p in assignment[1].parts):
            return True  # x=$(cmd) runs cmd
        words.pop(0)
    if not words:
        return False
    first = words[0]
    if any(p.kind not in ("lit", "qlit") for p in first.parts):
        return True
    text = "".join(p.value for p in first.parts)
    if text in _KEYWORDS:
        return True
    names = brace_expand(text)[:1] if text.startswith("{") else [text]
    return any(program_name(n) in KNOWN_PROGRAMS or n.startswith(("./", "/", "~/")) for n in names)
