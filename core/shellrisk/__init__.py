"""How risky a shell command is: the one question the policy asks of a command line.

``classify_command`` is the entry: it parses the command as a shell would and judges every
program that could run (``risk`` explains how).  The rest of the package is its working
parts -- lexer, parser, word expansion, the walk, per-program handlers -- and is private.
The rule table goes out too, because settings list the block rules a user may unlock.
"""

from deskhand.core.shellrisk.risk import ShellRisk, classify_command, starts_like_a_command
from deskhand.core.shellrisk.rules import BLOCK_RULES, RULES

__all__ = ["BLOCK_RULES", "RULES", "ShellRisk", "classify_command", "starts_like_a_command"]
