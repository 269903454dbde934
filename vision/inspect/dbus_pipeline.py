"""Many D-Bus method calls at once: all sent in one write, then their replies collected.

A walk of an accessibility tree asks hundreds of small questions.  One round trip each
would cost ~1 ms apiece; sent together, the application answers them as fast as it reads
them.  What is left is marshalling in this process (jeepney is pure Python, ~0.1 ms a
message), so each question's bytes are kept: a walk asks the same nodes the same
questions step after step, and a D-Bus message differs from another asking the same only
in its serial, a fixed field of the header (bytes 8-11).
"""

from __future__ import annotations

import struct
import time
from typing import Any

from deskhand.vision.inspect.atspi import Node, _OutOfTime

__all__ = ["Call", "Pipeline"]

# (node, interface, method, signature, arguments)
Call = tuple[Node, str, str, str | None, tuple[Any, ...]]


class Pipeline:
    """Sends a batch of calls on a jeepney connection and returns their replies in order."""

    _SERIAL_AT = 8
    _MOST = 8192  # questions kept (a few hundred per window walked); then start afresh

    def __init__(self) -> None:
        self._kept: dict[Call, bytes] = {}

    def ask(self, conn: Any, calls: list[Call], deadline: float) -> list[Any]:
        """Each call's reply body, or None for an error reply; ``_OutOfTime`` past ``deadline``."""
        from jeepney import HeaderFields, MessageType

        serials: dict[int, int] = {}
        wire = bytearray()
        for index, call in enumerate(calls):
            serial = next(conn.outgoing_serial)
            wire += self._message(call, serial)
            serials[serial] = index
        conn.sock.sendall(wire)
        results: list[Any] = [None] * len(calls)
        while serials:
            left = deadline - time.monotonic()
            if left <= 0:
                raise _OutOfTime()
            reply = conn.receive(timeout=left)
            in_reply_to = reply.header.fields.get(HeaderFields.reply_serial, -1)
            if in_reply_to not in serials:
                continue  # a signal, or a reply to someone else's call
            at = serials.pop(in_reply_to)
            if reply.header.message_type is MessageType.method_return:
                results[at] = reply.body
        return results

    def _message(self, call: Call, serial: int) -> bytearray:
        kept = self._kept.get(call)
        if kept is None:
            from jeepney import DBusAddress, new_method_call

            node, interface, method, sig, body = call
            address = DBusAddress(node[1], bus_name=node[0], interface=interface)
            kept = new_method_call(address, method, sig, body).serialise(serial=1)
            if len(self._kept) >= self._MOST:
                self._kept.clear()
            self._kept[call] = kept
        data = bytearray(kept)
        order = "<" if kept[:1] == b"l" else ">"  # the header's first byte: its endianness
        struct.pack_into(order + "I", data, self._SERIAL_AT, serial)
        return data
