"""Opens a portal session, clicks at (x, y), holds Shift and "a" down, says "held", then
waits to be killed -- a Deskhand that crashed mid-typing.

Run: python -m tests.wayland.apps.hold_keys X Y TOKEN_FILE
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from deskhand.vision.portal.desktop import PortalDesktop
from deskhand.vision.portal.tokens import TokenStore


def main() -> None:
    x, y, token = float(sys.argv[1]), float(sys.argv[2]), Path(sys.argv[3])
    desktop = PortalDesktop.open(TokenStore(token), explain=lambda _text: None)
    desktop.move_to(x, y)
    desktop.button(0x110, True)
    desktop.button(0x110, False)
    time.sleep(0.3)  # stays: the app focuses the entry on the click; this process cannot see it
    desktop.keysym(0xFFE1, True)  # Shift_L
    desktop.keysym(ord("a"), True)
    print("held", flush=True)
    time.sleep(600)  # stays: holds the keys until the test kills it


if __name__ == "__main__":
    main()
