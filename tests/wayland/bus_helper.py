"""Small D-Bus chores for the headless session (run as ``python -m tests.wayland.bus_helper``).

* ``has-name NAME``  -- prints yes/no: is NAME owned on the session bus?
* ``scale N``        -- sets mutter's (only) monitor to scale N (the nearest it offers), through
                        org.gnome.Mutter.DisplayConfig, as GNOME Settings would.
"""

from __future__ import annotations

import sys

from jeepney import DBusAddress, message_bus, new_method_call
from jeepney.io.blocking import open_dbus_connection

CONFIG = DBusAddress("/org/gnome/Mutter/DisplayConfig", "org.gnome.Mutter.DisplayConfig",
                     "org.gnome.Mutter.DisplayConfig")  # fmt: skip


def has_name(name: str) -> bool:
    with open_dbus_connection(bus="SESSION") as conn:
        return bool(conn.send_and_get_reply(message_bus.NameHasOwner(name)).body[0])


def scale(factor: float) -> None:
    with open_dbus_connection(bus="SESSION") as conn:
        serial, monitors, logical, _props = conn.send_and_get_reply(
            new_method_call(CONFIG, "GetCurrentState")
        ).body
        (connector, *_), modes, _ = monitors[0]
        mode = next(m for m in modes if m[6].get("is-current", ("b", False))[1])
        supported = [s for s in mode[5] if abs(s - factor) < 0.01]
        if not supported:
            raise SystemExit(f"scale {factor} not supported by mode {mode[0]}: {mode[5]}")
        x, y = logical[0][0], logical[0][1]
        config = [(x, y, float(supported[0]), 0, True, [(connector, mode[0], {})])]
        reply = conn.send_and_get_reply(
            new_method_call(
                CONFIG, "ApplyMonitorsConfig", "uua(iiduba(ssa{sv}))a{sv}", (serial, 1, config, {})
            )
        )
        if reply.header.message_type.name == "error":
            raise SystemExit(f"ApplyMonitorsConfig failed: {reply.body}")


def main() -> None:
    command, arg = sys.argv[1], sys.argv[2]
    if command == "has-name":
        print("yes" if has_name(arg) else "no")
    elif command == "scale":
        scale(float(arg))


if __name__ == "__main__":
    main()
