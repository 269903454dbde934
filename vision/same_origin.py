"""Requests go only to the model server the user configured: a redirect elsewhere stops the task.

The privacy guard (``deskhand.app.privacy``) decides whether screenshots may go to the
configured address; but the clients underneath (``ollama``'s and ``openai``'s, both on httpx)
follow redirects by themselves, so one ``307`` from that address -- a proxy, a misconfigured
server, anything answering in its name -- sent the screenshot on to a host nobody checked.
So each client gets a request hook that lets a request go only to the configured origin
(scheme, host, port): a redirect within the same server still works; one to any other host
or port, even another loopback address, is never sent and raises ``RedirectRefused``, which
names both.  The hook runs before every request httpx sends, redirects included.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from typing import Any

from deskhand.core.errors import ModelUnavailable

__all__ = ["RedirectRefused", "origin", "pinned_to"]

_DEFAULT_PORTS = {"http": 80, "https": 443}


class RedirectRefused(ModelUnavailable):
    """The server redirected a request to another origin; it was not followed."""


def origin(url: str) -> str:
    """``scheme://host:port`` of ``url``, with the scheme's default port written out."""
    split = urllib.parse.urlsplit(url if "://" in url else f"http://{url}")
    scheme = split.scheme.lower()
    host = (split.hostname or "").lower()
    host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{host}:{split.port or _DEFAULT_PORTS.get(scheme, 0)}"


def pinned_to(url: str) -> Callable[[Any], None]:
    """An httpx ``request`` event hook that refuses any request to another origin than ``url``'s."""
    allowed = origin(url)

    def check(request: Any) -> None:
        dest = origin(str(request.url))
        if dest != allowed:
            raise RedirectRefused(
                f"Sent a request to the model server at {allowed}, but it redirected it to "
                f"{dest}, another server, which was not followed: screenshots go only to the "
                f"server you configured. If {dest} is the right server, set it as the model "
                "server's address; otherwise fix the redirect on that server."
            )

    return check
