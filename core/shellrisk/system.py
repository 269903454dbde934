"""Handlers for programs that act on the system rather than on named files.

Processes, power, services, the firewall, packages, the network, disks, accounts and secret
stores.  Each knows its read-only forms (``systemctl status``, ``crontab -l``) so those stay
``auto``.  ``SYSTEM_HANDLERS`` also holds the handlers for git (``shellrisk.git``) and the
shell's own builtins (``shellrisk.builtin_commands``), so the dispatcher looks in one table.
"""

from __future__ import annotations

import re

from deskhand.core.shellrisk.builtin_commands import BUILTIN_HANDLERS
from deskhand.core.shellrisk.context import Context, Handler, operands
from deskhand.core.shellrisk.files import check_write
from deskhand.core.shellrisk.git import GIT_HANDLERS
from deskhand.core.shellrisk.rules import (
    DISK_READ_ONLY_FLAGS,
    INSTALL_READ_ONLY,
    SECRET_TOOLS,
    SECURITY_SERVICES,
    words,
)
from deskhand.core.shellrisk.words import Field

__all__ = ["DISK_HANDLER", "INSTALLER_HANDLER", "NETWORK_HANDLER", "SYSTEM_HANDLERS"]

_SESSION_PROCESSES = words("xorg x xvfb xwayland gnome-shell gnome-session plasmashell kwin kwin_x11 xfce4-session openbox lxsession systemd init sshd dbus-daemon mutter cinnamon mate-session")  # fmt: skip


def _texts(args: list[Field]) -> list[str]:
    return [a.text for a in args]


def _kill(ctx: Context, name: str, args: list[Field]) -> None:
    texts = _texts(args)
    if name == "killall5":
        ctx.add("kill-all", "killall5 kills every process")
        return
    if name == "kill":
        if any(t in ("-l", "-L", "--list") for t in texts):
            return
        i = 0
        if texts and texts[0] in ("-s", "-n"):
            i = 2
        elif texts and texts[0].startswith("-") and texts[0] != "--":
            i = 1
        pids = [t for t in texts[i:] if t != "--"]
        if any(p in ("-1", "1") for p in pids):
            ctx.add("kill-all", "kill -1 (or pid 1) kills every process")
            return
    else:
        opts, patterns = operands(args, words("-u --user -U -g -G -s --signal -t -P"))
        if (
            any(o.text in ("-u", "--user", "-U") or o.text.startswith("--user=") for o in opts)
            and not patterns
        ):
            ctx.add("kill-all", f"{name} kills every process of a user")
            return
        if any(p.text in (".", ".*", "^", "") or p.text.lower() in _SESSION_PROCESSES for p in patterns):
            ctx.add(
                "kill-all", f"{name} {' '.join(p.text for p in patterns)} ends the session or every process"
            )
            return
    ctx.add("process", f"{name} stops processes")


def _systemctl(ctx: Context, name: str, args: list[Field]) -> None:
    _, rest = operands(args, words("-t --type -s --signal -p --property -H -M --root"))
    sub = rest[0].text if rest else "list-units"
    units = {u.text.removesuffix(".service").lower() for u in rest[1:]}
    if name == "service" and len(rest) >= 2:
        sub, units = rest[1].text, {rest[0].text.lower()}
    if sub in ("status", "show", "cat", "help", "list-units", "list-unit-files", "list-timers", "list-sockets",
               "list-jobs", "list-dependencies", "is-active", "is-enabled", "is-failed", "is-system-running",
               "get-default", "show-environment", "--version", "--status-all"):  # fmt: skip
        return
    if sub in (
        "poweroff",
        "reboot",
        "halt",
        "kexec",
        "rescue",
        "emergency",
        "isolate",
        "default",
        "soft-reboot",
    ):
        ctx.add("power", f"{name} {sub} stops or restarts the machine")
    elif sub in ("stop", "disable", "mask", "kill", "reset-failed") and units & SECURITY_SERVICES:
        ctx.add("security-off", f"{name} {sub} {' '.join(sorted(units))} turns off protection")
    elif sub in ("enable", "link", "edit", "set-default", "add-wants", "add-requires", "preset", "revert"):
        ctx.add("persistence", f"{name} {sub} changes what starts with the system or session")
    else:
        ctx.add("process", f"{name} {sub} controls services")


def _power(ctx: Context, name: str, args: list[Field]) -> None:
    texts = _texts(args)
    if name == "shutdown" and "-c" in texts:
        ctx.add("process", "cancels a planned shutdown")
    elif name in ("init", "telinit") and not any(t in ("0", "6", "1", "s", "S", "q") for t in texts):
        ctx.add("process", f"{name} controls the init system")
    elif name == "loginctl" and not any(
        t in ("poweroff", "reboot", "halt") or t.startswith(("terminate-", "kill-")) for t in texts
    ):
        if not texts or texts[0].startswith(
            ("list-", "show", "session-status", "user-status", "seat-status")
        ):
            return
        ctx.add("process", f"loginctl {texts[0]} controls the session")
    else:
        ctx.add("power", f"{name} shuts down, reboots or logs out")


def _firewall(ctx: Context, name: str, args: list[Field]) -> None:
    texts = [t.lower() for t in _texts(args)]
    joined = " ".join(texts)
    read = {
        "ufw": ("status", "show", "app"),
        "setenforce": (),
        "firewall-cmd": ("--state", "--list", "--get"),
    }
    if name in ("iptables", "ip6tables", "ebtables", "arptables", "nft", "iptables-legacy", "iptables-nft"):
        if re.search(r"(^| )(-f|--flush|-x|--delete-chain|flush|delete|-p \w+ accept)( |$)", joined):
            ctx.add("security-off", f"{name} {joined} removes firewall rules")
        elif not re.search(r"(^| )(-l|--list|-s|--list-rules|list)( |$)", joined):
            ctx.add("process", f"{name} changes the firewall")
        return
    if name in ("aa-teardown", "aa-disable", "aa-complain") or (name == "apparmor_parser" and "-r" in texts):
        ctx.add("security-off", f"{name} turns off AppArmor protection")
    elif name == "setenforce" and any(t in ("0", "permissive") for t in texts):
        ctx.add("security-off", "setenforce 0 turns off SELinux")
    elif name == "ufw" and any(t in ("disable", "reset") for t in texts):
        ctx.add("security-off", f"ufw {joined} turns off the firewall")
    elif name == "netsh" and "advfirewall" in texts and ("off" in texts or "reset" in texts):
        ctx.add("security-off", "netsh turns off the Windows firewall")
    elif not texts or any(texts[0].startswith(r) for r in read.get(name, ())):
        return
    else:
        ctx.add("process", f"{name} changes security settings")


def _crontab(ctx: Context, name: str, args: list[Field]) -> None:
    texts = _texts(args)
    if name in ("atq",) or (name == "crontab" and "-l" in texts and "-r" not in texts):
        return
    if name == "crontab":
        ctx.add("persistence", "crontab replaces or removes scheduled commands")
        return
    opts, _ = operands(args, frozenset({"-f", "-q", "-t"}))
    if any(o.text in ("-l", "-c") for o in opts):
        return
    ctx.add("process", f"{name} schedules commands to run later")
    feed = ctx.stdin
    if feed is not None and feed.text is not None:
        ctx.code(feed.text, origins=feed.origins)
    elif feed is not None and feed.origins:
        ctx.code("", origins=feed.origins)


def _installer(ctx: Context, name: str, args: list[Field]) -> None:
    _, rest = operands(args)
    if (rest and rest[0].text in INSTALL_READ_ONLY) or (name in ("dpkg", "rpm") and args and args[0].text in
                                                        ("-l", "-L", "-s", "-S", "-q", "-qa", "--list")):  # fmt: skip
        return
    ctx.add("install", f"{name} installs or changes software")


def _network(ctx: Context, name: str, args: list[Field]) -> None:
    texts = _texts(args)
    ctx.add("network", f"{name} talks to the network")
    if (
        name in ("nc", "ncat", "netcat")
        and any(t in ("-e", "-c", "--exec", "--sh-exec", "--lua-exec") for t in texts)
    ) or (name == "socat" and any(re.match(r"^(exec|system):", t, re.IGNORECASE) for t in texts)):
        ctx.add("remote-code", f"{name} hands a shell to the network (a reverse shell)")
    outputs = {"curl": ("-o", "--output"), "wget": ("-O", "--output-document"), "aria2c": ("-o", "--out")}
    for i, t in enumerate(texts[:-1]):
        if t in outputs.get(name, ()) and texts[i + 1] != "-":
            ctx.downloaded.add(texts[i + 1].rsplit("/", 1)[-1])
            check_write(ctx, args[i + 1], "downloads into")
    urls = [t for t in texts if re.match(r"^(https?|ftp)://", t)]
    if (name == "wget" and "-O" not in texts and "-qO-" not in texts) or (name == "curl" and ("-O" in texts or
                                                                          "--remote-name" in texts)):  # fmt: skip
        ctx.downloaded.update(u.rstrip("/").rsplit("/", 1)[-1] for u in urls)
    if name == "ssh":
        _, rest = operands(args, words("-p -i -l -o -F -J -L -R -D -W -b -c -E -e -I -m -O -Q -S -w -B"))  # fmt: skip
        if len(rest) > 1:
            ctx.code(" ".join(r.text for r in rest[1:]))


def _disk(ctx: Context, name: str, args: list[Field]) -> None:
    if any(a.text in DISK_READ_ONLY_FLAGS for a in args) or (name in ("vssadmin", "cipher") and not args):
        return
    if name in ("cipher",) and not any(a.text.lower().startswith("/w") for a in args):
        ctx.add("write-file", "cipher changes encryption of files")
        return
    ctx.add("disk-destroy", f"{name} can erase or re-format a disk")


def _secrets(ctx: Context, name: str, args: list[Field]) -> None:
    risky = SECRET_TOOLS[name]
    if not risky or any(a.text in risky for a in args):
        ctx.add("credentials", f"{name} reveals or removes stored keys or passwords")
    else:
        ctx.add("unknown-program", f"{name} is not known to be read-only")


def _opener(ctx: Context, name: str, args: list[Field]) -> None:
    ctx.add("process", f"{name} opens {args[0].text if args else 'something'} in another program")


def _windows_system(ctx: Context, name: str, args: list[Field]) -> None:
    low = [a.text.lower() for a in args]
    if name == "bcdedit" or (name == "reg" and any(t.startswith("hklm") for t in low) and "query" not in low):
        ctx.add("system-files", f"{name} changes the system's boot or registry settings")
    elif name == "vssadmin" and "delete" in low:
        ctx.add("disk-destroy", "vssadmin deletes the system's backup copies")
    else:
        ctx.add("unknown-program", f"{name} is not known to be read-only")


SYSTEM_HANDLERS: dict[str, Handler] = {
    **GIT_HANDLERS,
    **dict.fromkeys(("kill", "pkill", "killall", "killall5", "skill"), _kill),
    **dict.fromkeys(("systemctl", "service"), _systemctl),
    **dict.fromkeys(
        (
            "shutdown",
            "reboot",
            "poweroff",
            "halt",
            "init",
            "telinit",
            "loginctl",
            "kexec",
            "gnome-session-quit",
            "xfce4-session-logout",
            "lxqt-leave",
        ),
        _power,
    ),
    **dict.fromkeys(
        (
            "ufw",
            "iptables",
            "ip6tables",
            "ebtables",
            "arptables",
            "nft",
            "iptables-legacy",
            "iptables-nft",
            "setenforce",
            "aa-teardown",
            "aa-disable",
            "aa-complain",
            "apparmor_parser",
            "firewall-cmd",
            "netsh",
        ),
        _firewall,
    ),
    **dict.fromkeys(("crontab", "at", "batch", "atq"), _crontab),
    **dict.fromkeys(SECRET_TOOLS, _secrets),
    **BUILTIN_HANDLERS,
    **dict.fromkeys(("xdg-open", "open", "gio", "gnome-open", "kde-open", "start", "explorer"), _opener),
    **dict.fromkeys(("bcdedit", "reg", "vssadmin"), _windows_system),
    "cipher": _disk,
}
INSTALLER_HANDLER: Handler = _installer
NETWORK_HANDLER: Handler = _network
DISK_HANDLER: Handler = _disk
