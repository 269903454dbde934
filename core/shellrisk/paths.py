"""What a path names, for risk: the home folder, a system folder, a credential, a disk...

Paths are compared lexically, never looked up on disk: the policy runs before the command
and must give the same answer on any machine.  ``~``, ``$HOME`` and ``${HOME}`` all mean
the home folder; a relative path is taken from the command's working folder, which is the
home folder unless the command line ``cd``-ed somewhere it spells out (``None`` when that
place is computed at run time).  The pattern tables are data: extend them, don't add code.
"""

from __future__ import annotations

import fnmatch
import re
from enum import Enum

__all__ = ["PathKind", "kind_of", "normalize"]


class PathKind(Enum):
    OTHER = "other"
    DISCARD = "discard"  # /dev/null and friends: writing there changes nothing
    ROOT = "root"  # / itself, or everything in it
    SYSTEM = "system"  # the operating system's folders and files
    HOME = "home"  # a home folder itself
    HOME_CONTENTS = "home contents"  # everything in a home folder (~/*, * from ~)
    USER_DIR = "user folder"  # ~/Documents, ~/.config ... as a whole
    DEVICE = "device"  # a disk, partition or raw memory
    CREDENTIAL = "credential"
    HISTORY = "history"
    STARTUP = "startup"  # runs at login or on a schedule


HOME = "~"
_DISCARD = re.compile(r"^/dev/(null|zero|stdout|stderr|tty|fd/\d+|pts/\d+)$|^/proc/self/fd/\d+$")
_DEVICE = re.compile(
    r"^/dev/(sd[a-z]|hd[a-z]|vd[a-z]|xvd[a-z]|nvme\d|mmcblk\d|disk|md\d|dm-|mapper/|loop\d|sr\d|mtd|"
    r"mem$|kmem$|port$|root$|block/|disk/)"
)
SYSTEM_DIRS = (
    "/etc", "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/boot", "/var", "/opt",
    "/sys", "/proc", "/dev", "/root", "/srv", "/snap", "/efi", "/run", "/home",
    "c:", "c:/windows", "c:/program files", "c:/program files (x86)", "c:/users",
)  # fmt: skip
_NOT_SYSTEM = ("/var/tmp", "/dev/shm")  # noqa: S108 (names, not files we create)
_TOP_SYSTEM = tuple(d[1:] for d in SYSTEM_DIRS if d.startswith("/"))
USER_DIRS = frozenset(
    [
        "Documents",
        "Pictures",
        "Desktop",
        "Music",
        "Videos",
        "Public",
        "Templates",
        ".config",
        ".local",
        ".mozilla",
    ]
)
CREDENTIALS = tuple(
    re.compile(p)
    for p in (
        r"(^|/)\.ssh(/|$)",
        r"(^|/)id_(rsa|dsa|ecdsa|ed25519)(_sk)?(\.pub)?$",
        r"(^|/)\.aws/(credentials|config)",
        r"(^|/)\.gnupg(/|$)",
        r"^/etc/(shadow|gshadow|sudoers|master\.passwd)",
        r"^/etc/ssh/ssh_host_\w+_key",
        r"(^|/)\.(netrc|git-credentials|pgpass|my\.cnf|pypirc|npmrc|vault-token)$",
        r"(^|/)\.docker/config\.json",
        r"(^|/)\.kube/config",
        r"(^|/)\.password-store(/|$)",
        r"(^|/)\.config/(gh/hosts\.yml|gcloud(/|$))",
        r"(^|/)\.azure(/|$)",
        r"(^|/)\.(cargo|terraform\.d)/credentials",
        r"(^|/)\.local/share/(keyrings|kwalletd)(/|$)",
        r"(^|/)\.gnome2/keyrings",
        r"(^|/)\.(mozilla/firefox|thunderbird)/.*(logins\.json|key[34]\.db|cookies\.sqlite)",
        r"(^|/)\.mozilla/firefox/[^/]*\*",
        r"(^|/)\.config/(google-chrome|chromium|bravesoftware|microsoft-edge|vivaldi|opera)[^/]*/.*"
        r"(login data|cookies|web data|local state)",
        r"(^|/)library/keychains(/|$)",
    )
)
HISTORY = re.compile(
    r"^~/\.(bash_history|zsh_history|zhistory|sh_history|history|python_history|mysql_history|psql_history|"
    r"local/share/fish/fish_history)$"
)
STARTUP = tuple(
    re.compile(p)
    for p in (
        r"^~/\.(bashrc|bash_profile|bash_login|bash_logout|profile|zshrc|zprofile|zshenv|zlogin|zlogout|"
        r"xinitrc|xprofile|xsession|xsessionrc|pam_environment|inputrc|kshrc|mkshrc|cshrc|tcshrc)$",
        r"^~/\.config/(autostart|systemd|environment\.d|fish/conf\.d|upstart)(/|$)",
        r"^~/\.config/fish/config\.fish$",
        r"^~/\.local/share/systemd(/|$)",
        r"^~/\.ssh/(rc|authorized_keys\d?)$",
        r"^/var/spool/cron(/|$)|^/etc/(cron|anacrontab|systemd|init\.d|rc\.local|profile|bash\.bashrc|environment)",
    )
)


def normalize(path: str, cwd: str | None) -> str:
    """``path`` as an absolute, ``..``-free string; the home folder is written ``~``.

    A path relative to an unknown working folder starts with ``?/``.
    """
    p = path.strip()
    if re.match(r"^[a-zA-Z]:[\\/]", p):
        p = p[0].lower() + p[1:].replace("\\", "/")
    p = re.sub(r"^(\$HOME|\$\{HOME\})(?=/|$)", HOME, p)
    if m := re.match(r"^~([a-z_][a-z0-9_-]*)(?=/|$)", p):
        p = ("/root" if m.group(1) == "root" else f"/home/{m.group(1)}") + p[m.end() :]
    if not (p == HOME or p.startswith(("~/", "/")) or re.match(r"^[a-z]:/", p)):
        p = f"{cwd if cwd is not None else '?'}/{p}"
    head, _, rest = p.partition("/")
    parts: list[str] = []
    for seg in rest.split("/"):
        if seg in ("", "."):
            continue
        if seg == "..":
            if parts:
                parts.pop()
            elif head == HOME:  # ~/.. is /home
                head = "/home"
            continue
        parts.append(seg)
    joined = "/".join(parts)
    if head == "":
        return "/" + joined
    return f"{head}/{joined}" if joined else head


_GLOB = re.compile(r"[*?\[]")
_PURE_GLOB = re.compile(r"^[*?.\[\]!^]+$")


def _could_match(segment: str, names: frozenset[str] | tuple[str, ...]) -> bool:
    return bool(_GLOB.search(segment)) and any(fnmatch.fnmatchcase(n, segment) for n in names)


def kind_of(path: str, cwd: str | None = HOME) -> PathKind:
    """The most alarming thing ``path`` can name (a glob counts as all it could match)."""
    p = normalize(path, cwd)
    low = p.lower()
    if _DISCARD.match(p):
        return PathKind.DISCARD
    if any(c.search(low) for c in CREDENTIALS):
        return PathKind.CREDENTIAL
    if HISTORY.match(p):
        return PathKind.HISTORY
    if any(s.search(p) for s in STARTUP):
        return PathKind.STARTUP
    if _DEVICE.match(p):
        return PathKind.DEVICE
    segments = p.split("/")
    if p == "/" or (p.startswith("/") and _PURE_GLOB.match(segments[1])):
        return PathKind.ROOT
    if p == HOME or re.fullmatch(r"/home/[^/]+|/home/[^/]*[*?\[][^/]*", p):
        return PathKind.HOME
    if p.startswith("~/"):
        first = segments[1]
        if _PURE_GLOB.match(first):
            return PathKind.HOME_CONTENTS
        if len(segments) == 2 and (first in USER_DIRS or _could_match(first, USER_DIRS)):
            return PathKind.USER_DIR
        return PathKind.OTHER
    if p.startswith("/") and _could_match(segments[1], _TOP_SYSTEM):
        return PathKind.SYSTEM
    if any(low == d or low.startswith(d + "/") for d in SYSTEM_DIRS) and not any(
        low == d or low.startswith(d + "/") for d in _NOT_SYSTEM
    ):
        return PathKind.SYSTEM
    return PathKind.OTHER
