"""``deskhand mcp`` and a running tray app, over the tray's single-instance socket.

When the tray app runs, the person at the desktop already knows its windows, so an MCP
server started by some client asks *there*: the tray shows "Used by <client>" and opens
its own confirmation dialog (marker included) for the server's confirm-level calls, and
the tray's Stop reaches the server too.  Without a tray, ``deskhand mcp`` uses a dialog
and a stop bar of its own (``deskhand.app.cli.mcp_command``).

One JSON object per line on the socket ``SingleInstance`` listens on:
server -> tray ``{"type": "mcp-hello", "client"}`` and ``{"type": "mcp-confirm", "id",
"action", "verdict", "image", "mime", "geometry"}``; tray -> server ``{"type": "answer",
"id", "answer"}`` and ``{"type": "stop"}``.  The tray only ever *answers* with what the
person chose; a lost link or a silent tray counts as "deny".
"""

from __future__ import annotations

import base64
import itertools
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from pydantic import TypeAdapter, ValidationError
from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalSocket

from deskhand.app.tray.gui_call import GuiCallTimeout, GuiInvoker
from deskhand.app.tray.qt_approver import DialogHost, _Pending
from deskhand.core.actions import Action
from deskhand.core.approval import UserAnswer
from deskhand.core.geometry import ScreenGeometry
from deskhand.core.observation import Observation
from deskhand.core.ports import Approver, ShouldStop
from deskhand.core.verdict import Verdict

log = logging.getLogger(__name__)

HELLO, CONFIRM, ANSWER, STOP = "mcp-hello", "mcp-confirm", "answer", "stop"
_ACTION: TypeAdapter[Action] = TypeAdapter(Action)


def encode(message: dict[str, object]) -> bytes:
    return json.dumps(message, ensure_ascii=False).encode() + b"\n"


@dataclass
class _Lines:
    """Bytes in, whole JSON objects out (anything else is dropped and logged)."""

    buffer: bytes = b""

    def feed(self, data: bytes) -> Iterator[dict[str, object]]:
        self.buffer += data
        *lines, self.buffer = self.buffer.split(b"\n")
        for line in lines:
            try:
                message = json.loads(line)
            except ValueError:
                log.warning("ignored a line on the tray link that is not JSON")
                continue
            if isinstance(message, dict):
                yield message


# -- the tray's side ----------------------------------------------------------------------


class _Asked(_Pending[UserAnswer]):
    """A dialog opened for a server: the person's answer goes back on its socket."""

    def __init__(self, reply: Callable[[UserAnswer], None]) -> None:
        super().__init__(UserAnswer.DENY)
        self.reply = reply

    def finish(self, answer: UserAnswer) -> None:
        super().finish(answer)
        self.reply(answer)


@dataclass
class _Peer:
    socket: QLocalSocket
    client: str = ""
    lines: _Lines = field(default_factory=_Lines)
    asked: list[_Asked] = field(default_factory=list)


class McpPeers(QObject):
    """In the tray app: the MCP servers connected to it.  GUI thread only."""

    changed = Signal()

    def __init__(self, dialogs: DialogHost) -> None:
        super().__init__()
        self.dialogs = dialogs
        self._peers: list[_Peer] = []

    def clients(self) -> list[str]:
        return [p.client for p in self._peers if p.client]

    def adopt(self, socket: QLocalSocket, first: bytes) -> None:
        """Take over a connection whose first bytes are a server's hello."""
        peer = _Peer(socket)
        self._peers.append(peer)
        socket.readyRead.connect(lambda: self._feed(peer, bytes(socket.readAll().data())))
        socket.disconnected.connect(lambda: self._gone(peer))
        self._feed(peer, first)

    def _feed(self, peer: _Peer, data: bytes) -> None:
        for message in peer.lines.feed(data):
            if message.get("type") == HELLO:
                peer.client = str(message.get("client") or "an MCP client")
                self.changed.emit()
            elif message.get("type") == CONFIRM:
                self._confirm(peer, message)

    def _confirm(self, peer: _Peer, message: dict[str, object]) -> None:
        request = message.get("id")

        def reply(answer: UserAnswer) -> None:
            if peer in self._peers:
                peer.socket.write(encode({"type": ANSWER, "id": request, "answer": answer.name.lower()}))
                peer.socket.flush()

        try:
            action = _ACTION.validate_python(message["action"])
            verdict = Verdict.model_validate(message["verdict"])
            geometry = ScreenGeometry.model_validate(message["geometry"])
            image = base64.b64decode(str(message["image"]))
        except (KeyError, ValueError, ValidationError):
            log.warning("a malformed confirmation request from %s was denied", peer.client)
            reply(UserAnswer.DENY)
            return
        observation = Observation(
            f"mcp-{request}", image, str(message.get("mime", "image/jpeg")), geometry, 0, 0
        )
        asked = _Asked(reply)
        peer.asked.append(asked)
        self.dialogs.open_confirm(action, verdict, observation, asked)

    def stop_all(self) -> bool:
        """The tray's Stop: every server ends its calls; their open dialogs close (deny)."""
        for peer in self._peers:
            peer.socket.write(encode({"type": STOP}))
            peer.socket.flush()
            for asked in peer.asked:
                self.dialogs.cancel(asked)
        return bool(self._peers)

    def _gone(self, peer: _Peer) -> None:
        if peer in self._peers:
            self._peers.remove(peer)
            for asked in peer.asked:
                self.dialogs.cancel(asked)
            peer.socket.deleteLater()
            self.changed.emit()


# -- the MCP server's side ----------------------------------------------------------------


class TrayLink(QObject):
    """In ``deskhand mcp``: the connection to the tray.  Create and ``open`` on the GUI thread."""

    stopped = Signal()

    def __init__(self, invoker: GuiInvoker) -> None:
        super().__init__()
        self.invoker = invoker
        self.socket = QLocalSocket(self)
        self.lines = _Lines()
        self.connected = False
        self._ids = itertools.count(1)
        self._waiting: dict[int, tuple[threading.Event, list[UserAnswer]]] = {}
        self._lock = threading.Lock()

    def open(self, name: str, timeout_ms: int = 1000) -> bool:
        self.socket.connectToServer(name)
        if not self.socket.waitForConnected(timeout_ms):
            return False
        self.connected = True
        self.socket.readyRead.connect(self._read)
        self.socket.disconnected.connect(self._lost)
        return True

    def hello(self, client: str) -> None:
        """Tell the tray who uses the desktop (GUI thread)."""
        self._write({"type": HELLO, "client": client})

    def _write(self, message: dict[str, object]) -> None:
        if self.connected:
            self.socket.write(encode(message))
            self.socket.flush()

    def _read(self) -> None:
        for message in self.lines.feed(bytes(self.socket.readAll().data())):
            if message.get("type") == STOP:
                self.stopped.emit()
            elif message.get("type") == ANSWER:
                self._answered(message)

    def _answered(self, message: dict[str, object]) -> None:
        with self._lock:
            waiting = self._waiting.pop(int(str(message.get("id", 0))), None)
        if waiting is not None:
            answer = str(message.get("answer", "")).upper()
            waiting[1].append(UserAnswer[answer] if answer in UserAnswer.__members__ else UserAnswer.DENY)
            waiting[0].set()

    def _lost(self) -> None:
        self.connected = False
        with self._lock:
            waiting, self._waiting = list(self._waiting.values()), {}
        for event, _ in waiting:
            event.set()  # no answer: deny

    def confirm(
        self,
        action: Action,
        verdict: Verdict,
        observation: Observation,
        timeout: float,
        should_stop: ShouldStop,
    ) -> UserAnswer:
        """Ask in the tray and wait (worker thread); no answer in time, Stop or a lost link deny."""
        request = next(self._ids)
        event, answers = threading.Event(), list[UserAnswer]()
        with self._lock:
            self._waiting[request] = (event, answers)
        message = {
            "type": CONFIRM,
            "id": request,
            "action": action.model_dump(mode="json"),
            "verdict": verdict.model_dump(mode="json"),
            "geometry": observation.geometry.model_dump(mode="json"),
            "image": base64.b64encode(observation.image).decode("ascii"),
            "mime": observation.mime,
        }
        try:
            self.invoker.call(lambda: self._write(message))
        except GuiCallTimeout:
            return UserAnswer.DENY
        deadline = time.monotonic() + timeout
        while not event.wait(0.05):
            if should_stop() or time.monotonic() > deadline:
                break
        with self._lock:
            self._waiting.pop(request, None)
        return answers[0] if answers else UserAnswer.DENY


class TrayApprover:
    """The ``Approver`` of ``deskhand mcp`` while a tray app runs; its own dialogs otherwise."""

    def __init__(
        self,
        link: TrayLink,
        fallback: Approver,
        *,
        timeout: float,
        should_stop: ShouldStop,
        grace: float = 5.0,
    ) -> None:
        self.link, self.fallback = link, fallback
        self.timeout, self.should_stop, self.grace = timeout, should_stop, grace

    def confirm(self, action: Action, verdict: Verdict, observation: Observation) -> UserAnswer:
        if not self.link.connected:
            return self.fallback.confirm(action, verdict, observation)
        return self.link.confirm(action, verdict, observation, self.timeout + self.grace, self.should_stop)

    def answer(self, question: str) -> str | None:
        return self.fallback.answer(question)
