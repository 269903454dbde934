"""Deskhand's own secrets: where they live, and keeping their values out of text.

The API key reaches Deskhand from the environment (or the OS keyring), and a command the
model runs inherits that environment unless told otherwise: ``printenv OPENAI_API_KEY`` is
read-only, so it would run unasked and put the key in the audit log, the trace, the
terminal and the next request to the model.  Two layers stop that: the shell runner starts
commands without these variables, and its output passes through ``redact`` with every
secret value Deskhand knows (a command can still find one elsewhere, e.g. in the parent's
``/proc/PID/environ`` or a dotfile).  The names are here so the key resolver (app) and the
shell runner (actions) cannot disagree about them.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["API_KEY_ENV_VARS", "MIN_SECRET_LENGTH", "REDACTED", "redact"]

# Where Deskhand reads the OpenAI-compatible server's key, in order (see app/store/api_keys.py).
API_KEY_ENV_VARS = ("DESKHAND_API_KEY", "OPENAI_API_KEY")
REDACTED = "[redacted]"
# Shorter values are placeholders ("EMPTY", "none"), not keys; replacing every "none" in a
# command's output would only garble it.
MIN_SECRET_LENGTH = 8


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every occurrence of each secret (longest first) replaced by ``[redacted]``."""
    values = {s.strip() for s in secrets if s and len(s.strip()) >= MIN_SECRET_LENGTH}
    for secret in sorted(values, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text
