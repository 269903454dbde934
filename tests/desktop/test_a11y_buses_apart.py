"""Two accessibility buses alive at once (two screens in one test module, or two test runs on
one machine) must be two buses: one session's inspector must not see the other's windows.
The launcher's socket lives in $XDG_RUNTIME_DIR/at-spi (else ~/.cache/at-spi), so two
launchers with one such folder bind one socket, and the first bus is cut off."""

from __future__ import annotations

from tests.a11y import accessibility_bus


def _socket(address: str) -> str:
    """``unix:path=/run/.../bus,guid=...`` -> where the bus listens."""
    return next(part for part in address.split(",") if "path=" in part)


def test_two_accessibility_buses_at_once_listen_apart() -> None:
    with accessibility_bus() as first, accessibility_bus() as second:
        assert _socket(first.a11y) != _socket(second.a11y)
