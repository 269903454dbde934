"""Before a tray task starts: may its screenshots go to the configured model server?

Why here, on the GUI thread, before anything starts: a host that needs the user's opt-in
is asked with a dialog, which only the GUI thread may show, and the answer is remembered
(``remote_hosts``) so it is asked once per host.  The worker's ``build_parts`` enforces
the same rule (``app.privacy``) and refuses a host nobody allowed, so a bad config or a
race here never sends a screenshot anywhere unasked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from deskhand.app.store.config import Settings
from deskhand.core.errors import DeskhandError
from deskhand.core.privacy import Destination, Reach, Ruling, rule

__all__ = ["ConfirmRemote", "Consent", "Notify", "ask_remote_consent", "screenshot_consent"]

Notify = Callable[[str, str, bool], None]  # title, message, is_error
ConfirmRemote = Callable[[Destination], bool]  # the opt-in dialog; True: allowed


@dataclass(frozen=True, slots=True)
class Consent:
    allowed: bool
    host: str | None = None  # the non-local host screenshots go to, "" for this machine;
    # None when not known (a bad config: the worker then fails with the config's error)


def screenshot_consent(settings: Callable[[], Settings], confirm: ConfirmRemote, notify: Notify) -> Consent:
    """Whether the task may start as far as its screenshots go, and where they go; a
    refusal comes with a notice.  Resolving the host's name may take a moment."""
    from deskhand.app import privacy
    from deskhand.app.model_choice import resolve_host

    try:
        current = settings()
        dest = privacy.where(resolve_host(None, current))
    except DeskhandError:
        return Consent(True)  # a bad config: the worker reports it as usual (and build_parts guards)
    verdict = rule(dest, allowed_hosts=current.remote_hosts, insecure_hosts=current.insecure_hosts)
    if verdict.ruling is Ruling.REFUSE:
        notify("Deskhand: not sending screenshots", f"{verdict.reason}. Use https://.", True)
        return Consent(False)
    if verdict.ruling is Ruling.ASK:
        if not confirm(dest):
            notify("Deskhand", f"Not started: screenshots would have gone to {dest.host}.", False)
            return Consent(False)
        try:
            privacy.remember_host(dest.host)
        except DeskhandError as exc:
            notify("Deskhand", f"Could not remember that {dest.host} is allowed: {exc}", True)
            return Consent(False)
    return Consent(True, "" if dest.reach is Reach.LOOPBACK else dest.host)


def ask_remote_consent(dest: Destination) -> bool:
    """The opt-in dialog (imported only when a task would send screenshots off this machine)."""
    from deskhand.app.windows.remote_consent import ask_remote_consent as ask

    return ask(dest)
