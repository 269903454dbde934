"""The shell risk rules as data: stable ids, levels, and the program tables they use.

Every finding the classifier makes names one rule here.  Rule ids are a public contract:
the settings file lists the ids a user has unlocked (``unlocked``), traces record them, and
tests refer to them -- rename one only with a migration.  Unlocking a ``block`` rule turns
it into ``confirm`` (the user is still asked every time); it never makes anything ``auto``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from deskhand.core.verdict import Level

__all__ = ["BLOCK_RULES", "RULES", "Rule", "words"]


def words(text: str) -> frozenset[str]:
    """A set of names written as one space-separated string: the one form of every name table.

    Not set literals, because the formatter puts a long literal one name per line and the
    tables here would run to hundreds of lines.  An empty table is ``frozenset()``.
    """
    return frozenset(text.split())


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    level: Level
    summary: str  # what the rule guards against, for the settings window


RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        # --- block: never runs unless the user unlocks the rule in settings
        Rule("privilege", Level.BLOCK, "runs something with administrator rights (sudo, doas, su, pkexec)"),
        Rule("wipe-tree", Level.BLOCK, "deletes or moves away the home folder, / or a system folder"),
        Rule("system-files", Level.BLOCK, "changes files of the operating system (/etc, /usr, /boot ...)"),
        Rule("disk-destroy", Level.BLOCK, "overwrites or formats a disk or partition (dd, mkfs, wipefs ...)"),
        Rule(
            "permissions",
            Level.BLOCK,
            "changes permissions or owners of system or home folders, or sets setuid",
        ),
        Rule("fork-bomb", Level.BLOCK, "starts processes without end until the machine stalls"),
        Rule("remote-code", Level.BLOCK, "runs code downloaded from the network (curl | sh and friends)"),
        Rule("hidden-code", Level.BLOCK, "runs commands hidden by encoding (base64, xxd, openssl ...)"),
        Rule("history-wipe", Level.BLOCK, "erases the shell history"),
        Rule("credentials", Level.BLOCK, "reads or changes keys, passwords or keyrings"),
        Rule("security-off", Level.BLOCK, "turns off the firewall, SELinux or AppArmor"),
        Rule(
            "persistence", Level.BLOCK, "changes what runs at login or on a schedule (.bashrc, cron, systemd)"
        ),
        Rule("power", Level.BLOCK, "shuts down, reboots or logs out the machine"),
        Rule("kill-all", Level.BLOCK, "kills every process of the user or the system"),
        Rule("accounts", Level.BLOCK, "changes user accounts or passwords"),
        # --- confirm: the user is asked
        Rule("write-file", Level.CONFIRM, "creates or changes files"),
        Rule("delete", Level.CONFIRM, "deletes files"),
        Rule("install", Level.CONFIRM, "installs or removes software"),
        Rule("network", Level.CONFIRM, "talks to the network"),
        Rule("process", Level.CONFIRM, "starts, stops or schedules processes and services"),
        Rule("run-code", Level.CONFIRM, "runs a script or an interpreter that can do anything"),
        Rule("computed-command", Level.CONFIRM, "the program to run is computed when the command runs"),
        Rule("unknown-program", Level.CONFIRM, "a program not known to be read-only"),
        Rule("unparsable", Level.CONFIRM, "the command line cannot be followed reliably"),
        Rule(
            "environment", Level.CONFIRM, "changes how later programs are found or loaded (PATH, LD_PRELOAD)"
        ),
    )
}
BLOCK_RULES = frozenset(r.id for r in RULES.values() if r.level is Level.BLOCK)

READ_ONLY = words(
    """
    ls ll dir vdir cat tac head tail less more grep egrep fgrep rg ag wc pwd echo printf date cal whoami
    id groups uname hostname hostnamectl df du free uptime ps pgrep pidof which whereis type file stat
    sort uniq cut tr basename dirname realpath readlink true false test [ [[ seq printenv locale tree
    diff cmp md5sum sha1sum sha224sum sha256sum sha384sum sha512sum b2sum cksum sum nproc lscpu lsblk
    lsusb lspci lsmod jq yq column nl rev fold fmt expand unexpand comm join paste od xxd hexdump
    strings base64 base32 basenc xdg-user-dir getent cd : sleep wait read zcat zgrep zless bzcat xzcat
    look numfmt factor expr bc tty users who w last lastlog ip ss netstat ifconfig iwconfig nmcli lsof
    vmstat iostat mpstat sensors dmesg journalctl xdpyinfo xrandr xwininfo xprop wmctrl glxinfo fc-list
    fc-match timedatectl localectl man info apropos whatis dpkg-query apt-cache lsb_release arch getconf
    tput clear cowsay fortune figlet jobs dirs blkid findmnt
    """
)
# Read-only programs that change things when given one of these words (or options starting so).
MUTATING_ARGS: dict[str, frozenset[str]] = {
    "ip": words("add del delete set flush change replace append restore up down"),
    "nmcli": words("up down delete modify add connect disconnect on off set reload edit import"),
    "journalctl": words("--vacuum --rotate --flush --relinquish-var --setup-keys"),
    "dmesg": words("-c -C --clear --read-clear -D -E -n --console"),
    "date": words("-s --set"),
    "timedatectl": words("set-"),
    "localectl": words("set-"),
    "hostnamectl": words("set- hostname"),
    "xrandr": words(
        "--output --off --mode --rate --rotate --auto --primary -s --size --brightness --gamma --newmode --addmode --setprovider"
    ),
    "wmctrl": words("-c -k -a -r -s -o -n -t -e -b -N -I -T"),
    "xprop": words("-set -remove -f"),
    "ifconfig": words("up down add del netmask mtu hw promisc"),
    "iwconfig": words("essid key mode txpower channel freq ap"),
    "sort": words("-o --output"),
    "rg": words("--pre"),
    "hostname": words("-F --file -b --boot"),
}
PRIVILEGE = words("sudo doas su pkexec run0 runuser chroot gosu sudoedit ksu calife")
SHELLS = words("sh bash dash zsh ksh mksh ash fish csh tcsh yash rbash busybox-sh")
INTERPRETERS = SHELLS | words("python python2 python3 pypy pypy3 perl ruby node nodejs deno bun php lua luajit rscript tclsh wish pwsh powershell osascript jshell groovy julia guile racket expect awk gawk mawk nawk busybox-awk")  # fmt: skip
CODE_FLAGS = {  # the option after which an interpreter's inline code follows
    **dict.fromkeys(SHELLS, ("-c",)),
    **dict.fromkeys(("python", "python2", "python3", "pypy", "pypy3"), ("-c",)),
    **dict.fromkeys(("perl", "ruby"), ("-e", "-E")),
    **dict.fromkeys(("node", "nodejs", "bun"), ("-e", "--eval", "-p", "--print")),
    "deno": ("eval",),
    "php": ("-r",),
    "lua": ("-e",),
    "luajit": ("-e",),
    "rscript": ("-e",),
    "pwsh": ("-c", "-command", "-Command"),
    "powershell": ("-c", "-command", "-Command"),
    "osascript": ("-e",),
}
ENCODED_FLAGS = words("-enc -e -encodedcommand -ec")  # PowerShell's base64 commands
NETWORK = words(
    """
    curl wget fetch ssh scp sftp rsync nc ncat netcat socat ftp tftp telnet aria2c http https xh
    lwp-request GET POST HEAD ping ping6 traceroute tracepath mtr nslookup dig host whois nmap rclone
    gsutil aws az gcloud s3cmd lftp smbclient mount.cifs sshpass ssh-copy-id git-remote-http websocat
    openvpn wg
    """
)
FETCHERS = words("curl wget fetch aria2c http https xh lwp-request GET nc ncat netcat socat ssh tftp ftp lftp websocat rclone scp")  # fmt: skip
PROCESS = words(
    """
    kill pkill killall killall5 skill xkill systemctl service at batch atrm nohup-bg renice loginctl
    launchctl sc taskkill schtasks reg update-rc.d chkconfig rc-service rc-update initctl
    """
)
POWER = words("shutdown reboot poweroff halt telinit init gnome-session-quit xfce4-session-logout lxqt-leave systemd-run-poweroff kexec suspend")  # fmt: skip
INSTALLERS = words(
    """
    apt apt-get aptitude dpkg pip pip3 pipx uv npm npx pnpm yarn snap flatpak brew gem cargo dnf yum
    pacman zypper apk emerge nix-env nix port choco winget scoop conda mamba go rustup sdk
    """
)
INSTALL_READ_ONLY = words("list show search info freeze ls view outdated policy depends rdepends --version -V help check why")  # fmt: skip
DISK_TOOLS = words(
    """
    mkfs mke2fs mkswap mkdosfs mkntfs mkexfatfs wipefs fdisk sfdisk cfdisk parted gdisk sgdisk cgdisk
    blkdiscard badblocks hdparm sdparm nvme cryptsetup lvremove vgremove pvremove zpool mdadm format
    diskpart diskutil e2fsck fsck tune2fs resize2fs debugfs zerofree partprobe dmsetup losetup
    """
)
DISK_READ_ONLY_FLAGS = words("-l --list -L print --help -h --version -V")
ACCOUNTS = words("passwd chpasswd useradd adduser usermod userdel deluser groupadd groupmod groupdel gpasswd visudo vipw vigr chsh chfn chage newusers pwck grpck net-user")  # fmt: skip
SECURITY_SERVICES = words("ufw firewalld nftables iptables ip6tables apparmor auditd selinux fail2ban netfilter-persistent clamav-daemon mpssvc")  # fmt: skip
SECRET_TOOLS = {  # program -> subcommands/options that reveal or drop secrets (any, if empty)
    "secret-tool": words("lookup search clear"),
    "security": words("find-generic-password find-internet-password dump-keychain export"),
    "kwallet-query": frozenset(),
    "keyring": words("get del"),
    "pass": words("show rm git -c --clip"),
    "gpg": words("--export-secret-keys --export-secret-subkeys --delete-secret-keys --delete-keys"),
    "gpg2": words("--export-secret-keys --export-secret-subkeys --delete-secret-keys"),
    "ssh-add": words("-D -d -L"),
    "cmdkey": words("/list /delete"),
    "mimikatz": frozenset(),
    "lazagne": frozenset(),
}
DECODERS = words("base64 base32 basenc xxd openssl uudecode gzip gunzip zcat bzip2 bunzip2 xz unxz zstd unzstd lzma unlzma rev certutil tr python python3 perl")  # fmt: skip
# Programs whose other arguments name files they write (the handlers know the exceptions).
WRITERS = words("touch mkdir truncate mknod mkfifo tee install cp mv ln rsync scp dd sed patch tar unzip zip 7z split csplit chmod chown chgrp chattr setfacl rm rmdir unlink shred wipe srm del erase rd move copy xcopy robocopy")  # fmt: skip
TRIVIAL_FLAGS = words("--version -V --help -h -v version help")

# wrapper -> (options that take a value, operands before the wrapped command)
WRAPPERS: dict[str, tuple[frozenset[str], int]] = {
    "sudo": (
        words(
            "-u -g -C -D -h -p -r -t -T -U --user --group --chdir --prompt --host --close-from --role --type --other-user --command-timeout"
        ),
        0,
    ),
    "doas": (words("-u -C"), 0),
    "pkexec": (words("--user"), 0),
    "run0": (words("-u --user -D --chdir --setenv --property --unit --nice"), 0),
    "chroot": (words("--userspec --groups"), 1),
    "gosu": (frozenset(), 1),
    "env": (words("-u --unset -C --chdir -P"), 0),
    "nice": (words("-n --adjustment"), 0),
    "nohup": (frozenset(), 0),
    "time": (words("-f --format -o --output"), 0),
    "command": (frozenset(), 0),
    "builtin": (frozenset(), 0),
    "exec": (words("-a"), 0),
    "stdbuf": (words("-i -o -e --input --output --error"), 0),
    "timeout": (words("-s --signal -k --kill-after"), 1),
    "ionice": (words("-c --class -n --classdata -p -P -u"), 0),
    "taskset": (frozenset(), 1),
    "chrt": (frozenset(), 1),
    "setsid": (frozenset(), 0),
    "unbuffer": (frozenset(), 0),
    "strace": (words("-o -e -p -s -u -E -a -b -I -O -P -S -X"), 0),
    "ltrace": (words("-o -e -p -s -u -a -n"), 0),
    "firejail": (frozenset(), 0),
    "torsocks": (frozenset(), 0),
    "proxychains": (words("-f"), 0),
    "proxychains4": (words("-f"), 0),
    "dbus-launch": (frozenset(), 0),
    "dbus-run-session": (frozenset(), 0),
    "xvfb-run": (words("-n -s -f -e -p --server-args --server-num"), 0),
    "systemd-run": (
        words("-p --property -u --unit --description -E --setenv --slice -M -H --on-calendar --on-active"),
        0,
    ),
    "busybox": (frozenset(), 0),
    "toybox": (frozenset(), 0),
    "catchsegv": (frozenset(), 0),
    "valgrind": (frozenset(), 0),
    "unshare": (frozenset(), 0),
    "caffeinate": (frozenset(), 0),
}
CODE_OPTIONS = {"su": ("-c", "--command"), "runuser": ("-c", "--command"), "flock": ("-c", "--command"),
                 "script": ("-c", "--command")}  # fmt: skip

FRAGMENTS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"(\S+)\s*\(\s*\)\s*\{[^}]*\1\s*\|\s*\1"), "fork-bomb", "defines a fork bomb"),
    (
        re.compile(
            r"fork\s*while\s*fork|while\s*(true|1|True)\s*:?\s*;?\s*(os\.)?fork\(|for\s*\(\s*;\s*;\s*\)\s*fork"
        ),
        "fork-bomb",
        "forks processes without end",
    ),
    (re.compile(r"\b(curl|wget)\b[^|;&]*\|\s*(sudo\s+)?\w*sh\b"), "remote-code", "runs a downloaded script"),
    (re.compile(r"base64\s+(-d|--decode)[^|;&]*\|\s*\w*sh\b"), "hidden-code", "runs base64-hidden commands"),
    (
        re.compile(
            r"(b64decode|unhexlify|fromhex|decode\(\s*['\"](base64|hex|rot13))[\s\S]*(system|exec|popen|spawn|run)\(|"
            r"(system|exec|popen|spawn)\([^)]*(b64decode|unhexlify|fromhex)"
        ),
        "hidden-code",
        "runs decoded (hidden) commands",
    ),
    (
        re.compile(r"loop\s*\{\s*fork|while\s*\(\s*1\s*\)\s*\{?\s*fork"),
        "fork-bomb",
        "forks processes without end",
    ),
    (
        re.compile(r"\brm\s+-[a-zA-Z]*[rR][a-zA-Z]*\s+(-\S+\s+)*(/|~|\$HOME|/\*|~/\*)(\s|$|['\"])"),
        "wipe-tree",
        "deletes the home folder or / recursively",
    ),
    (
        re.compile(r"rmtree\(\s*(os\.path\.expanduser\(\s*['\"]~['\"]\s*\)|['\"](/|~)['\"]|Path\.home\(\))"),
        "wipe-tree",
        "deletes the home folder or / recursively",
    ),
    (re.compile(r">\s*/dev/(sd|nvme|hd|vd|mmcblk)"), "disk-destroy", "writes raw bytes onto a disk"),
    (re.compile(r"\bmkfs(\.\w+)?\s+/dev/"), "disk-destroy", "formats a disk"),
    (
        re.compile(r"\bhistory\s+-c\b|HISTFILE=/dev/null|unset\s+HISTFILE"),
        "history-wipe",
        "wipes the shell history",
    ),
    (re.compile(r"\b(sudo|doas|pkexec)\s+\S"), "privilege", "runs something with administrator rights"),
    (
        re.compile(
            r"(\.ssh/|\.aws/credentials|\.gnupg|/etc/shadow|id_rsa|id_ed25519|logins\.json|Login Data)"
        ),
        "credentials",
        "touches keys or passwords",
    ),
)
