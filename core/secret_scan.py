"""Does a piece of text look like a secret?  Used before anything is kept for later.

Memory must never hold a password, an API key or a token: it goes into prompts, the model
server and exports.  The patterns are the well-known shapes of credentials (provider key
prefixes, private-key blocks, JWTs, ``password: …`` assignments) plus one generic rule for
long random-looking strings, the shape most other tokens have.  A false alarm costs the
user a retyped fact; a miss leaks a key -- so the generic rule errs on the side of alarm.
"""

from __future__ import annotations

import math
import re
from collections import Counter

__all__ = ["secret_kind"]

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
    ("an API key", re.compile(r"\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{16,}")),
    ("a GitHub token", re.compile(r"\b(?:ghp|gho|ghu|ghs|ghr|github_pat)_[A-Za-z0-9_]{20,}")),
    ("an AWS access key", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("a Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("a Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
    ("a JSON web token", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")),
    (
        "a password or key",
        re.compile(
            r"(?i)\b(?:password|passwd|passphrase|pwd|pin|api[_ -]?key|secret|token)\b\s*(?:is|[:=])\s*\S+"
        ),
    ),
)
_CANDIDATE = re.compile(r"[A-Za-z0-9+/_=.-]{20,}")


def _looks_random(token: str) -> bool:
    """Long, mixed letters and digits, and high entropy: a generated key, not a word or path."""
    if "/" in token and token.count("/") > 2:  # a path
        return False
    has_digit = any(c.isdigit() for c in token)
    has_alpha = any(c.isalpha() for c in token)
    if not (has_digit and has_alpha):
        return False
    counts = Counter(token)
    entropy = -sum(n / len(token) * math.log2(n / len(token)) for n in counts.values())
    return entropy >= 3.5


def secret_kind(text: str, known: frozenset[str] = frozenset()) -> str | None:
    """What kind of secret ``text`` seems to contain ("an API key" …), or None.

    ``known`` are values known to be secret in this context (what was typed into a
    password field during the task, the configured API key): any of them in the text is a
    secret whatever its shape.
    """
    for value in known:
        if value and value in text:
            return "a password typed during this task" if len(value) < 64 else "a secret value"
    for kind, pattern in _PATTERNS:
        if pattern.search(text):
            return kind
    if any(_looks_random(token) for token in _CANDIDATE.findall(text)):
        return "a token or key"
    return None
