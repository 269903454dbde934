"""One tray app per user: a second ``deskhand`` asks the first to open its command bar.

A ``QLocalServer`` (a Unix socket / named pipe) is the lock and the channel at once.  Its
name includes the user and a hash of the data directory, so tests with their own
``DESKHAND_DATA_DIR`` never meet a real instance.  A socket left by a crash is detected
(nobody answers) and replaced.
"""

from __future__ import annotations

import getpass
import hashlib
import logging
import os

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from deskhand.app.store.audit_database import default_path

log = logging.getLogger(__name__)

SHOW_COMMAND_BAR = b"show-command-bar\n"


def server_name() -> str:
    data_dir = str(default_path().parent)
    digest = hashlib.sha256(f"{data_dir}|{os.environ.get('DISPLAY', '')}".encode()).hexdigest()[:10]
    user = "".join(c for c in getpass.getuser() if c.isalnum()) or "user"
    return f"deskhand-{user}-{digest}"


def notify_running(name: str, message: bytes = SHOW_COMMAND_BAR, timeout_ms: int = 1000) -> bool:
    """Send ``message`` to a running instance; False if there is none."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(timeout_ms):
        return False
    socket.write(message)
    socket.flush()
    socket.waitForBytesWritten(timeout_ms)
    socket.disconnectFromServer()
    return True


class SingleInstance(QObject):
    """Listens for later instances; ``show_requested`` fires when one starts.

    A ``deskhand mcp`` process connects here too and stays connected: its first line is
    JSON (``deskhand.app.tray.tray_link``), and its socket is handed over by ``mcp_connected``.
    """

    show_requested = Signal()
    mcp_connected = Signal(object, bytes)  # the QLocalSocket, the bytes read so far

    def __init__(self, name: str | None = None) -> None:
        super().__init__()
        self.name = name or server_name()
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._accept)

    def claim(self) -> bool:
        """Become the instance; False if another one is running (it was told to show itself)."""
        if notify_running(self.name):
            return False
        QLocalServer.removeServer(self.name)  # a stale socket from a crash
        if not self.server.listen(self.name):
            log.warning("could not listen on %s: %s", self.name, self.server.errorString())
        return True

    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(socket.deleteLater)
            if socket.bytesAvailable():
                self._read(socket)

    def _read(self, socket: QLocalSocket) -> None:
        data = bytes(socket.readAll().data())
        if data.startswith(b"{"):
            socket.readyRead.disconnect()
            self.mcp_connected.emit(socket, data)
            return
        if SHOW_COMMAND_BAR.strip() in data:
            self.show_requested.emit()

    def close(self) -> None:
        self.server.close()
