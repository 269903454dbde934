"""How risky a shell command is, from its words alone.

The command is parsed like a shell would (``shellrisk.lex``, ``shellrisk.parse``), every word is
expanded as far as it can be known before running (``shellrisk.words``), and every command that
*could* run -- in pipelines, ``&&`` chains, groups, ``$(...)``, ``sh -c`` strings, behind
``sudo``/``env``/``xargs``/``find -exec`` -- is found by ``shellrisk.walk`` and judged by the
rules in ``shellrisk.rules`` and the program handlers in ``shellrisk.programs``.  Data flow matters
too: what a pipe feeds into a shell, what ``$(curl ...)`` puts into ``sh -c``, what was
downloaded and then run.

Each finding names a rule; the worst level wins.  Read-only commands run without asking so
the user keeps reading the prompts that matter; unknown programs ask; a command we cannot
follow asks.  ``unlocked`` rules (from settings) ask instead of blocking.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from deskhand.core.shellrisk.context import Finding
from deskhand.core.shellrisk.lex import Part, Word, tokenize
from deskhand.core.shellrisk.quoting import ShellSyntaxError
from deskhand.core.shellrisk.rules import RULES
from deskhand.core.shellrisk.walk import analyse
from deskhand.core.shellrisk.words import brace_expand, split_assignment
from deskhand.core.shellrisk.wrappers import KNOWN_PROGRAMS, program_name
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
    unlocked: tuple[str, ...] = ()  # block rules found here that the user unlocked: they ask a person


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
        unlocked=tuple(
            dict.fromkeys(
                f.rule for f in findings if RULES[f.rule].level is Level.BLOCK and f.rule in unlocked
            )
        ),
    )


def _level(rule: str, unlocked: frozenset[str]) -> Level:
    level = RULES[rule].level
    return Level.CONFIRM if level is Level.BLOCK and rule in unlocked else level


_KEYWORDS = frozenset(
    {"if", "then", "else", "elif", "while", "until", "for", "do", "case", "function", "{", "!", "[[", "(("}
)


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
