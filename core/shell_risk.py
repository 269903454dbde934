"""How risky a shell command is, from its words alone.

The command is split the way a shell would (``;``, ``&&``, ``||``, pipes, subshells,
``$(...)`` and backticks, ``sh -c`` strings, ``sudo``/``env``/``nohup`` prefixes, variable
assignments, redirections), each simple command is judged by the table below, and the
worst level wins.  Whatever is not known to be read-only asks first: nagging is cheaper
than a wrong guess, but read-only commands run freely so the user keeps reading the prompts.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from deskhand.core.verdict import Level

READ_ONLY = frozenset(
    [
        "ls",
        "ll",
        "dir",
        "cat",
        "head",
        "tail",
        "grep",
        "egrep",
        "fgrep",
        "rg",
        "wc",
        "pwd",
        "echo",
        "printf",
        "date",
        "cal",
        "whoami",
        "id",
        "groups",
        "uname",
        "hostname",
        "df",
        "du",
        "free",
        "uptime",
        "ps",
        "pgrep",
        "which",
        "whereis",
        "type",
        "file",
        "stat",
        "sort",
        "uniq",
        "cut",
        "tr",
        "basename",
        "dirname",
        "realpath",
        "readlink",
        "true",
        "false",
        "test",
        "[",
        "seq",
        "printenv",
        "locale",
        "tree",
        "diff",
        "cmp",
        "md5sum",
        "sha1sum",
        "sha256sum",
        "nproc",
        "lscpu",
        "lsblk",
        "lsusb",
        "lspci",
        "jq",
        "column",
        "nl",
        "tac",
        "rev",
        "fold",
        "expand",
        "comm",
        "join",
        "paste",
        "od",
        "xxd",
        "hexdump",
        "strings",
        "basenc",
        "xdg-user-dir",
        "getent",
        "cd",
    ]
)
WRAPPERS = frozenset({"env", "nice", "nohup", "time", "command", "builtin", "exec", "stdbuf"})
PRIVILEGE = frozenset({"sudo", "doas", "su", "pkexec", "run0"})
SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "fish"})
DESTROYERS = frozenset({"mkfs", "fdisk", "sfdisk", "parted", "gdisk", "wipefs", "shred", "dd"})
NETWORK = frozenset({"curl", "wget", "ssh", "scp", "rsync", "nc", "ncat", "ftp", "sftp", "telnet"})
PROCESS = frozenset({"kill", "pkill", "killall", "systemctl", "service", "shutdown", "reboot",
                     "poweroff", "halt", "crontab", "at"})  # fmt: skip
INSTALLERS = frozenset({"apt", "apt-get", "dpkg", "pip", "pip3", "npm", "yarn", "snap",
                        "flatpak", "brew", "gem", "cargo", "dnf", "yum", "pacman"})  # fmt: skip
GIT_READ = frozenset({"status", "log", "diff", "show", "rev-parse", "ls-files", "blame", "shortlog"})
SYSTEM_PATHS = re.compile(
    r"^(/|/(etc|usr|bin|sbin|lib\w*|boot|var|opt|sys|proc|dev|root)(/.*)?|~|\$HOME|/home/?\w*)/?$"
)
SECRETS = re.compile(
    r"(\.ssh/|id_rsa|id_ed25519|/etc/shadow|/etc/sudoers|\.aws/credentials|\.netrc|\.gnupg/|\.kube/config|\.docker/config\.json)"
)

# Whole-text patterns no splitting can hide.
_BLOCK_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r":\s*\(\s*\)\s*\{[^}]*:\s*\|\s*:"), "a fork bomb"),
    (re.compile(r"\b(curl|wget|fetch)\b[^|;&]*\|\s*(sudo\s+)?(ba|da|z|k)?sh\b"), "runs a script downloaded from the network"),
    (re.compile(r"base64\s+(-d|--decode)[^|;&]*\|\s*(sudo\s+)?(ba|da|z|k)?sh\b"), "runs hidden (base64-encoded) commands"),
    (re.compile(r">\s*/dev/(sd|nvme|hd|mmcblk|disk)"), "writes raw bytes onto a disk"),
    (re.compile(r"\bhistory\s+-c\b|HISTFILE=/dev/null|unset\s+HISTFILE"), "wipes the shell history"),
)  # fmt: skip
_SHELL_SYNTAX = re.compile(r"[|&;<>()$`\\*?\[\]~{}\n#]|^\s*[A-Za-z_]\w*=")
_ARITHMETIC = re.compile(r"\$\(\([^()]*\)\)")
_SUBSTITUTION = re.compile(r"\$\(([^()]*)\)|`([^`]*)`")
_SEPARATORS = frozenset({";", "&&", "||", "|", "&", "|&", "(", ")", ";;", "\n"})
_REDIRECTS = frozenset({">", ">>", ">|", "&>", "&>>", "<", "<<", "<<<", "<>"})
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


@dataclass(frozen=True, slots=True)
class ShellRisk:
    level: Level
    reason: str
    unknown_program: bool = False
    needs_shell: bool = False


_AUTO = ShellRisk(Level.AUTO, "read-only command")


def classify_command(command: str) -> ShellRisk:
    """Classify a command line; the worst part decides."""
    for pattern, why in _BLOCK_PATTERNS:
        if pattern.search(command):
            return ShellRisk(Level.BLOCK, f"blocked: {why}", needs_shell=True)
    if SECRETS.search(command):
        return ShellRisk(Level.BLOCK, "blocked: touches credential files (keys, passwords)")
    syntax = bool(_SHELL_SYNTAX.search(command))
    command = _ARITHMETIC.sub("0", command)  # $((6*7)) computes, it runs nothing
    risks = [classify_command(inner) for pair in _SUBSTITUTION.findall(command) for inner in pair if inner]
    try:
        lexer = shlex.shlex(_SUBSTITUTION.sub(" SUBST ", command), posix=True, punctuation_chars=";&|()<>")
        lexer.whitespace_split = True
        lexer.commenters = ""
        tokens = list(lexer)
    except ValueError as exc:
        return ShellRisk(Level.CONFIRM, f"cannot be parsed safely ({exc})", needs_shell=True)
    needs_shell = syntax or bool(risks)
    risks.extend(_classify_simple(words) for words in _split_simple(tokens))
    worst = _AUTO
    for risk in risks:
        if risk.level.rank > worst.level.rank or (worst is _AUTO and risk.unknown_program):
            worst = risk
    return ShellRisk(worst.level, worst.reason, worst.unknown_program, needs_shell or worst.needs_shell)


KNOWN_PROGRAMS = READ_ONLY | WRAPPERS | PRIVILEGE | SHELLS | DESTROYERS | NETWORK | PROCESS | INSTALLERS | {
    "rm", "rmdir", "mv", "cp", "chmod", "chown", "chgrp", "git", "find", "sed", "xargs", "awk", "perl",
    "python", "python3", "node", "ruby", "touch", "mkdir", "ln", "tar", "zip", "unzip", "make", "truncate",
    "timeout", "cd", "export", "unset", "history",
}  # fmt: skip


def starts_like_a_command(line: str) -> bool:
    """Whether a line of typed text begins with a program name a shell would run."""
    words = line.strip().split()
    while words and _ASSIGNMENT.match(words[0]):
        words.pop(0)
    return bool(words) and (
        words[0].rsplit("/", 1)[-1] in KNOWN_PROGRAMS or words[0].startswith(("./", "/", "~/"))
    )


def _split_simple(tokens: list[str]) -> list[list[str]]:
    commands: list[list[str]] = [[]]
    for token in tokens:
        if token in _SEPARATORS:
            commands.append([])
        else:
            commands[-1].append(token)
    return [c for c in commands if c]


def _classify_simple(words: list[str]) -> ShellRisk:
    """Judge one simple command: redirections first, then the program and its arguments."""
    words = list(words)
    risks: list[ShellRisk] = []
    i = 0
    while i < len(words):
        if words[i] in _REDIRECTS or re.fullmatch(r"\d?>>?|&>>?", words[i]):
            target = words[i + 1] if i + 1 < len(words) else ""
            op = words[i]
            del words[i : i + 2]
            if op.endswith(">") or op.endswith(">>") or op == ">|":
                risks.append(_redirect_risk(target))
            continue
        i += 1
    while words and _ASSIGNMENT.match(words[0]):
        words.pop(0)
    if words:
        risks.append(_classify_program(words))
    return max(risks, key=lambda r: r.level.rank, default=_AUTO)


def _redirect_risk(target: str) -> ShellRisk:
    if target in ("/dev/null", "/dev/stdout", "/dev/stderr", "&1", "&2", "1", "2"):
        return _AUTO
    if SYSTEM_PATHS.match(target) or target.startswith(("/etc/", "/usr/", "/boot/", "/bin/")):
        return ShellRisk(Level.BLOCK, f"blocked: overwrites system file {target}")
    return ShellRisk(Level.CONFIRM, f"writes to the file {target}")


def _classify_program(words: list[str]) -> ShellRisk:
    program = words[0].rsplit("/", 1)[-1]
    args = words[1:]
    flags = "".join(a.lstrip("-") for a in args if a.startswith("-") and not a.startswith("--"))
    if program in PRIVILEGE:
        return ShellRisk(Level.BLOCK, f"blocked: {program} runs with administrator rights")
    if program in WRAPPERS or program == "timeout":
        rest = [a for a in args if not a.startswith("-") and not _ASSIGNMENT.match(a)]
        if program == "timeout" and rest:
            rest = rest[1:]
        return _classify_program(rest) if rest else _AUTO
    if program in SHELLS:
        if "-c" in args and args.index("-c") + 1 < len(args):
            inner = classify_command(args[args.index("-c") + 1])
            return ShellRisk(inner.level, inner.reason, inner.unknown_program, True)
        return ShellRisk(Level.CONFIRM, f"starts {program}, which can run anything", needs_shell=True)
    if program in DESTROYERS or program.startswith("mkfs"):
        return ShellRisk(Level.BLOCK, f"blocked: {program} can destroy a disk or its data")
    if program == "rm":
        targets = [a for a in args if not a.startswith("-")]
        if "r" in flags.lower() and any(SYSTEM_PATHS.match(t) or t in ("*", ".", "..") for t in targets):
            return ShellRisk(Level.BLOCK, "blocked: recursive delete of a home, root or system folder")
        return ShellRisk(Level.CONFIRM, "deletes files")
    if program in ("chmod", "chown", "chgrp"):
        recursive = "R" in flags or "--recursive" in args
        if recursive and any(SYSTEM_PATHS.match(a) for a in args):
            return ShellRisk(Level.BLOCK, f"blocked: recursive {program} on a system folder")
        return ShellRisk(Level.CONFIRM, "changes file permissions or owners")
    if program in NETWORK:
        return ShellRisk(Level.CONFIRM, f"{program} talks to the network")
    if program in PROCESS:
        return ShellRisk(Level.CONFIRM, f"{program} controls processes or the system")
    if program in INSTALLERS:
        return ShellRisk(Level.CONFIRM, f"{program} installs or changes software")
    if program == "git":
        sub = next((a for a in args if not a.startswith("-")), "")
        if sub in GIT_READ or (sub in ("branch", "remote", "tag") and len(args) <= 2):
            return _AUTO
        return ShellRisk(Level.CONFIRM, f"git {sub} changes a repository or talks to a remote")
    if program == "find":
        if any(a in ("-delete", "-exec", "-execdir", "-ok", "-okdir", "-fprint", "-fls") for a in args):
            return ShellRisk(Level.CONFIRM, "find with -delete/-exec changes or runs things")
        return _AUTO
    if program == "sed" and any(a.startswith("-i") or a == "--in-place" for a in args):
        return ShellRisk(Level.CONFIRM, "edits files in place")
    if program in ("xargs", "awk", "gawk", "mawk", "perl", "python", "python3", "node", "ruby"):
        return ShellRisk(Level.CONFIRM, f"{program} can run arbitrary code", needs_shell=False)
    if program in READ_ONLY or program == "SUBST":
        return _AUTO
    return ShellRisk(Level.CONFIRM, f"{program} is not known to be read-only", unknown_program=True)
