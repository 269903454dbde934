"""Run the real CLI with chosen hosts classified as chosen addresses -- for tests only.

Fake servers listen on 127.0.0.0/8, yet the privacy guard's LAN and public-internet paths
need a server elsewhere.  ``deskhand_seeing(session, {"127.0.0.1": ["192.168.1.20"]}, "do",
...)`` runs ``python -m tests.e2e.classified TABLE ARGS``: that process replaces the guard's
resolver (``deskhand.app.privacy.resolve``) for the hosts in the table -- the connection
still goes where the URL says -- and then runs ``deskhand``'s own ``main``.  The installed
product has no switch for this: it lives here, in the tests' own launcher.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from tests.e2e.xsession import XSession

ROOT = Path(__file__).resolve().parents[2]


def deskhand_seeing(
    session: XSession, table: Mapping[str, Sequence[str]], *args: str, stdin: str = "", timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Like ``xsession.deskhand``, with the hosts in ``table`` resolving to its addresses."""
    env = {**session.env, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "tests.e2e.classified", json.dumps(dict(table)), *args],
        env=env, input=stdin, capture_output=True, text=True, timeout=timeout, check=False, cwd=ROOT,
    )  # fmt: skip


def main(argv: Sequence[str]) -> int:
    from deskhand.app import privacy
    from deskhand.app.cli import main as cli
    from deskhand.core.privacy import host_key

    table = {host_key(name): list(addresses) for name, addresses in json.loads(argv[0]).items()}
    system = privacy.resolve

    def resolve(host: str) -> list[str]:
        return table.get(host_key(host)) or system(host)

    privacy.resolve = resolve
    return cli.main(list(argv[1:]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
