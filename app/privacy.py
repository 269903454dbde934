"""The privacy guard's impure half: resolve the server's name, ask or refuse, remember.

``deskhand.core.privacy`` decides from addresses; this module looks the addresses up,
turns a refusal into a one-line set-up error that says which flag or setting to use, and
writes an opt-in to the settings file (``remote_hosts``) so it is asked only once per host.

Names are resolved by the system (``resolve``), with no switch to classify a host as anything
else: a test that needs a LAN or public host replaces ``resolve`` in its own process.
"""

from __future__ import annotations

import logging
import socket
import urllib.parse
from collections.abc import Callable, Sequence
from pathlib import Path

from deskhand.app.store.config import Settings, load_settings
from deskhand.app.store.settings_store import save_settings, updated
from deskhand.core.errors import DeskhandError, ServerUnreachable, SetupError
from deskhand.core.privacy import (
    Destination,
    Reach,
    Ruling,
    destination,
    host_key,
    is_address,
    rule,
    split_host,
    unresolved,
)

__all__ = [
    "Ask",
    "HostNotFound",
    "RemoteRefused",
    "guard",
    "remember_host",
    "resolve",
    "where",
]

log = logging.getLogger(__name__)

Resolver = Callable[[str], Sequence[str]]
Ask = Callable[[Destination], bool]  # the app's opt-in dialog; True: allowed


class RemoteRefused(SetupError):
    """Screenshots may not go to the configured server (yet)."""


class HostNotFound(ServerUnreachable):
    """The server's name does not resolve: a typo, or a machine that is off or elsewhere."""


def resolve(host: str) -> list[str]:
    """The addresses ``host`` stands for (an address literal stands for itself); [] if unknown."""
    name = host_key(host)
    if not name:
        return []
    try:
        infos = socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as exc:
        log.info("could not resolve %s (%s)", name, exc)
        return []
    return sorted({str(info[4][0]) for info in infos})


def where(url: str, resolver: Resolver | None = None) -> Destination:
    """The server at ``url`` and how far screenshots sent there travel.

    Raises ``HostNotFound`` for a name that does not resolve: it cannot be classified, and
    nothing could be sent there anyway.
    """
    _, host = split_host(url)
    addresses = (resolver or resolve)(host)
    if not addresses and not is_address(host):
        raise HostNotFound(
            f"Tried to send screenshots to the model server at {url}, but {unresolved(host)}. "
            "Check the server's address."
        )
    return destination(url, addresses)


def guard(
    url: str,
    settings: Settings,
    *,
    allow_remote: bool = False,
    allow_insecure: bool = False,
    ask: Ask | None = None,
    resolver: Resolver | None = None,
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
