"""The first-use download of the Whisper model, in the tray app: a progress bar with Cancel.

The download runs on its own thread (it can take minutes) and reports through signals;
the dialog is not modal, so the app -- including push-to-talk with the pocketsphinx
fallback -- keeps working meanwhile.  A cancelled download keeps what arrived, and the
next one resumes from there.
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog

from deskhand.core.errors import DeskhandError
from deskhand.voice.whisper_download import WhisperModelStore

__all__ = ["ModelDownload"]

log = logging.getLogger(__name__)


class ModelDownload(QObject):
    """One download; ``finished(error)`` with "" on success, the one-line reason otherwise."""

    progress = Signal(int, int)
    finished = Signal(str)

    def __init__(self, store: WhisperModelStore, size: str, *, show_dialog: bool = True) -> None:
        super().__init__()
        self.store = store
        self.size = size
        self.cancel_event = threading.Event()
        self.dialog: QProgressDialog | None = None
        if show_dialog:
            self.dialog = QProgressDialog(
                f"Downloading the Whisper speech model '{size}' (once)…", "Cancel", 0, 1000
            )
            self.dialog.setWindowTitle("Deskhand: speech model")
            self.dialog.setObjectName("deskhand-whisper-download")
            self.dialog.setWindowModality(Qt.WindowModality.NonModal)
            self.dialog.setMinimumDuration(0)
            self.dialog.setAutoClose(False)
            self.dialog.setAutoReset(False)
            self.dialog.canceled.connect(self.cancel)
        self.progress.connect(self._show)
        self.finished.connect(self._close)
        self.worker = threading.Thread(target=self._run, name="deskhand-whisper-download", daemon=True)

    def start(self) -> None:
        if self.dialog is not None:
            self.dialog.show()
        self.worker.start()

    def cancel(self) -> None:
        self.cancel_event.set()

    def _run(self) -> None:
        try:
            self.store.download(self.size, progress=self.progress.emit, cancel=self.cancel_event)
        except DeskhandError as exc:
            self.finished.emit(str(exc))
            return
        except Exception as exc:  # the thread boundary
            log.exception("the model download failed")
            self.finished.emit(f"The speech model download hit an internal error ({exc}).")
            return
        self.finished.emit("")

    def _show(self, done: int, total: int) -> None:
        if self.dialog is not None and total:
            self.dialog.setValue(int(1000 * done / total))
            self.dialog.setLabelText(
                f"Downloading the Whisper speech model '{self.size}' (once): "
                f"{done / 1e6:.1f} of {total / 1e6:.1f} MB"
            )

    def _close(self, _error: str) -> None:
        if self.dialog is not None:
            self.dialog.hide()
            self.dialog.deleteLater()
            self.dialog = None
