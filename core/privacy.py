"""Where screenshots may go: the pure rules, with name resolution left to the caller.

A screenshot shows whatever is on the screen -- mail, passwords being typed, medical
records -- so sending one off this machine is the user's decision, made once per host and
on the record.  This module decides; ``deskhand.app.privacy`` resolves names and asks.

    reach      what the addresses are                         what happens
    loopback   127.0.0.0/8, ::1, 0.0.0.0 / ::                 sent silently
    private    10/8, 172.16/12, 192.168/16, 169.254/16,       asked once per host, remembered
               fe80::/10, fc00::/7, an unresolved ``.local``
    public     everything else (also CGNAT 100.64/10, and     asked once per host; plain
               a name that does not resolve)                  HTTP refused unless overridden

A name that does not resolve at all (a typo, a LAN box that is off) is not classified: the
guard says it cannot be resolved (``unresolved``), since nothing can be sent there anyway.
A name that resolves to several addresses counts as the least private of them, because
the connection may go to any.  ``0.0.0.0``/``::`` count as loopback: servers print them as
"listening on every interface" and Linux and macOS connect such an address to this machine.
"""

from __future__ import annotations

import ipaddress
import urllib.parse
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum

__all__ = [
    "Destination",
    "Reach",
    "Ruling",
    "Verdict",
    "classify",
    "destination",
    "host_key",
    "is_address",
    "on_this_machine",
    "rule",
    "split_host",
    "unresolved",
]


class Reach(IntEnum):
    """How far a screenshot travels; a larger value is less private."""

    LOOPBACK = 0
    PRIVATE = 1
    PUBLIC = 2

    @property
    def label(self) -> str:
        return ("this machine", "your private network", "the public internet")[self]


_PRIVATE_NETS = tuple(
    ipaddress.ip_network(n)
    for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "fe80::/10", "fc00::/7")
)


def _address_reach(text: str) -> Reach:
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])  # drop an IPv6 zone ("fe80::1%eth0")
    except ValueError:
        return Reach.PUBLIC  # not an address we understand: assume the worst
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback or address.is_unspecified:
        return Reach.LOOPBACK
    if any(address in net for net in _PRIVATE_NETS):
        return Reach.PRIVATE
    return Reach.PUBLIC


def is_address(host: str) -> bool:
    """Whether ``host`` is an IP address literal (it needs no name resolution)."""
    try:
        ipaddress.ip_address(host_key(host).split("%", 1)[0])
    except ValueError:
        return False
    return True


def on_this_machine(host: str) -> bool:
    """Whether ``host`` names this machine without asking DNS: ``localhost`` or a loopback
    (or unspecified) address literal."""
    name = host_key(host)
    return name in ("localhost", "localhost.localdomain") or (
        is_address(name) and _address_reach(name) is Reach.LOOPBACK
    )


def unresolved(host: str) -> str:
    """Why nothing can be sent to a name that did not resolve (the middle of an error message)."""
    return (
        f"the name {host_key(host)} does not resolve to an address (a typo, or a machine that is off "
        "or not on this network)"
    )


def host_key(host: str) -> str:
    """A host name as remembered in the settings: lower case, no brackets, no trailing dot."""
    return host.strip().strip("[]").rstrip(".").lower()


def classify(host: str, addresses: Sequence[str]) -> Reach:
    """The reach of ``host``, given the addresses it resolved to (none: it did not resolve)."""
    if addresses:
        return max(_address_reach(a) for a in addresses)
    name = host_key(host)
    if name.endswith(".local"):
        return Reach.PRIVATE  # mDNS names are link-local by definition (RFC 6762)
    return _address_reach(name)  # an address literal, or an unresolvable name (public)


@dataclass(frozen=True, slots=True)
class Destination:
    """A model server's address and how far screenshots sent to it travel."""

    url: str
    scheme: str
    host: str  # as ``host_key`` spells it
    reach: Reach

    @property
    def encrypted(self) -> bool:
        return self.scheme == "https"

    def describe(self) -> str:
        return f"{self.host} ({self.reach.label})"


def split_host(url: str) -> tuple[str, str]:
    """(scheme, host) of a server URL; a bare ``host:port`` means plain HTTP."""
    raw = url.strip()
    split = urllib.parse.urlsplit(raw if "://" in raw else f"http://{raw}")
    return split.scheme.lower(), host_key(split.hostname or "")


def destination(url: str, addresses: Sequence[str]) -> Destination:
    scheme, host = split_host(url)
    return Destination(url=url, scheme=scheme, host=host, reach=classify(host, addresses))


class Ruling(StrEnum):
    SEND = "send"  # go ahead
    ASK = "ask"  # the user has not decided about this host yet
    REFUSE = "refuse"  # not without an explicit override


@dataclass(frozen=True, slots=True)
class Verdict:
    ruling: Ruling
    reason: str


def rule(
    dest: Destination,
    *,
    allowed_hosts: Collection[str],
    allow_remote: bool = False,
    insecure_hosts: Collection[str] = (),
    allow_insecure: bool = False,
) -> Verdict:
    """May screenshots go to ``dest``?

    ``allowed_hosts`` are the hosts the user opted in to before (the settings);
    ``allow_remote`` is this run's opt-in (``--allow-remote`` or the dialog's answer).
    Plain HTTP to a public address is refused first, whatever was allowed: anyone on the
    way could read the screen.  Only ``allow_insecure`` (``--allow-insecure-remote``) or
    the host in ``insecure_hosts`` lets it through.
    """
    if dest.reach is Reach.LOOPBACK:
        return Verdict(Ruling.SEND, "the model server is on this machine")
    if dest.reach is Reach.PUBLIC and not dest.encrypted:
        keys = {host_key(h) for h in insecure_hosts}
        if not (allow_insecure or dest.host in keys):
            return Verdict(
                Ruling.REFUSE,
                f"{dest.host} is on the public internet and {dest.scheme}:// is not encrypted, "
                "so anyone on the way could read your screen",
            )
    if allow_remote or dest.host in {host_key(h) for h in allowed_hosts}:
        return Verdict(Ruling.SEND, f"screenshots to {dest.describe()} were allowed")
    return Verdict(Ruling.ASK, f"{dest.host} is on {dest.reach.label}, not on this machine")
