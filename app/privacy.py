"""The privacy guard's impure half: resolve the server's name, ask or refuse, remember.

``deskhand.core.privacy`` decides from addresses; this module looks the addresses up,
turns a refusal into a one-line set-up error that says which flag or setting to use, and
writes an opt-in to the settings file (``remote_hosts``) so it is asked only once per host.

Tests cannot bind servers outside 127.0.0.0/8, so ``DESKHAND_TEST_RESOLVE`` may stand in for
DNS: ``"host=addr[,addr];host2=addr"``.  It changes only how a host is *classified* (the
connection still goes where the URL says), and every use is logged as a warning.
"""

from __future__ import annotations

import logging
import os
import socket
import urllib.parse
from collections.abc import Callable, Sequence
from pathlib import Path

from deskhand.app.config import Settings, load_settings
from deskhand.app.settings_store import save_settings, updated
from deskhand.core.errors import DeskhandError, SetupError
from deskhand.core.privacy import Destination, Reach, Ruling, destination, host_key, rule, split_host

__all__ = [
    "RESOLVE_OVERRIDE_ENV",
    "Ask",
    "RemoteRefused",
    "guard",
    "remember_host",
    "resolve",
    "where",
]

log = logging.getLogger(__name__)

RESOLVE_OVERRIDE_ENV = "DESKHAND_TEST_RESOLVE"
Resolver = Callable[[str], Sequence[str]]
Ask = Callable[[Destination], bool]  # the app's opt-in dialog; True: allowed


class RemoteRefused(SetupError):
    """Screenshots may not go to the configured server (yet)."""


def _overrides() -> dict[str, list[str]]:
    raw = os.environ.get(RESOLVE_OVERRIDE_ENV, "")
    table: dict[str, list[str]] = {}
    for entry in raw.split(";"):
        name, sep, addresses = entry.partition("=")
        if sep and name.strip():
            table[host_key(name)] = [a.strip() for a in addresses.split(",") if a.strip()]
    return table


def resolve(host: str) -> list[str]:
    """The addresses ``host`` stands for (an address literal stands for itself); [] if unknown."""
    override = _overrides().get(host_key(host))
    if override is not None:
        log.warning("classifying %s as %s (%s is set)", host, ", ".join(override), RESOLVE_OVERRIDE_ENV)
        return override
    name = host_key(host)
    if not name:
        return []
    try:
        infos = socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as exc:
        log.info("could not resolve %s (%s); treating it as a public address", name, exc)
        return []
    return sorted({str(info[4][0]) for info in infos})


def where(url: str, resolver: Resolver = resolve) -> Destination:
    """The server at ``url`` and how far screenshots sent there travel."""
    _, host = split_host(url)
    return destination(url, resolver(host))


def guard(
    url: str,
    settings: Settings,
    *,
    allow_remote: bool = False,
    allow_insecure: bool = False,
    ask: Ask | None = None,
    resolver: Resolver = resolve,
    config: Path | None = None,
) -> Destination:
    """Check that screenshots may go to ``url``; raises ``RemoteRefused`` if not.

    An opt-in given now (``allow_remote`` from ``--allow-remote``, or ``ask`` answering
    yes) is remembered in the settings file for the host, so the next run does not ask.
    """
    if "@" in urllib.parse.urlsplit(url if "://" in url else f"http://{url}").netloc:
        raise RemoteRefused(
            "Tried to use a model server address that carries a user name or password, but "
            "Deskhand keeps secrets out of addresses (they would end up in the history). "
            "Remove them and set DESKHAND_API_KEY instead."
        )
    dest = where(url, resolver)
    verdict = rule(
        dest,
        allowed_hosts=settings.remote_hosts,
        allow_remote=allow_remote,
        insecure_hosts=settings.insecure_hosts,
        allow_insecure=allow_insecure,
    )
    if verdict.ruling is Ruling.REFUSE:
        raise RemoteRefused(
            f"Tried to send screenshots to the model server at {url}, but {verdict.reason}. "
            "Use https://, or a server on this machine or your own network "
            "(or pass --allow-insecure-remote if you accept that risk)."
        )
    if verdict.ruling is Ruling.ASK:
        if ask is None:
            raise RemoteRefused(
                f"Tried to send screenshots to the model server at {url}, but {dest.host} is on "
                f"{dest.reach.label} and you have not allowed that yet. Run the task again with "
                f"--allow-remote to allow {dest.host} (Deskhand remembers it)."
            )
        if not ask(dest):
            raise RemoteRefused(
                f"Tried to send screenshots to the model server at {url}, but you did not allow "
                f"{dest.host}, so the task did not start. Choose a server on this machine in "
                "Settings, or allow the host when asked."
            )
    if dest.reach is Reach.LOOPBACK:
        return dest
    if dest.host not in settings.remote_hosts:
        try:
            remember_host(dest.host, config)
        except DeskhandError as exc:  # the opt-in still holds for this run
            log.warning("could not remember that %s is allowed: %s", dest.host, exc)
    log.info("sending screenshots to %s", dest.describe())
    return dest


def remember_host(host: str, config: Path | None = None) -> None:
    """Add ``host`` to ``remote_hosts`` in the settings file (read fresh, written atomically)."""
    current = load_settings(config)
    key = host_key(host)
    if key in current.remote_hosts:
        return
    save_settings(updated(current, {"remote_hosts": (*current.remote_hosts, key)}), config)
