"""The opt-in dialog: "Send screenshots to gpu-box.lan?", asked once per host.

Shown by the controller before a task starts when the configured model server is not on
this machine and the user has not allowed its host yet.  "Don't send" is the default
button and also what Escape and closing mean; only an explicit "Allow" lets screenshots
leave the machine (the host is then remembered in the settings).
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

from deskhand.app.tray.session import AgentState
from deskhand.app.windows.icons import state_icon
from deskhand.core.privacy import Destination, Reach

__all__ = ["RemoteConsentDialog", "ask_remote_consent"]


class RemoteConsentDialog(QDialog):
    def __init__(self, dest: Destination, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("deskhand-remote-consent")
        self.setWindowTitle("Send screenshots to another machine?")
        self.setWindowIcon(state_icon(AgentState.WAITING))
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint)
        self.setMinimumWidth(460)
        where = "on your private network" if dest.reach is Reach.PRIVATE else "on the public internet"
        how = "encrypted (https)" if dest.encrypted else "not encrypted (http)"
        host = html.escape(dest.host)
        text = QLabel(
            f"<p>The model server <b>{host}</b> is {where}, not on this computer.</p>"
            "<p>Each step sends a screenshot of your screen there; it shows whatever is open, "
            f"including private text. The connection is {how}.</p>"
            f"<p>Allow screenshots to go to {host}? Deskhand remembers your answer for this "
            "host; you can remove it in the settings file (<code>remote_hosts</code>).</p>"
        )
        text.setObjectName("consent-text")
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.RichText)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        buttons = QDialogButtonBox()
        self.allow = QPushButton(f"Allow {dest.host}")
        self.allow.setObjectName("allow")
        self.deny = QPushButton("Don't send")
        self.deny.setObjectName("deny")
        buttons.addButton(self.allow, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.deny, QDialogButtonBox.ButtonRole.RejectRole)
        self.deny.setDefault(True)
        self.deny.setFocus()
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


def ask_remote_consent(dest: Destination) -> bool:
    """Ask (modal, on the GUI thread); True only for an explicit "Allow"."""
    dialog = RemoteConsentDialog(dest)
    try:
        return dialog.exec() == QDialog.DialogCode.Accepted
    finally:
        dialog.deleteLater()
