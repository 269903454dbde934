"""What can go wrong with voice, as ``deskhand.core.errors`` subclasses.

    SetupError
    ├── AudioUnavailable        no PortAudio, no microphone, the device vanished
    ├── RecognizerUnavailable   pocketsphinx / faster-whisper missing, a model will not load
    └── ModelDownloadFailed     the Whisper model could not be fetched (network, HTTP, disk)
        └── ChecksumMismatch    the bytes arrived but are not the published ones
    UsageError
    └── AudioFileError          a WAV file that is missing or cannot be read
    Stopped
    └── DownloadCancelled       the user cancelled the download (the part file is kept)

Why subclasses of the core tree: the CLI already turns SetupError/UsageError into one line
and exit code 2, and Stopped into exit code 3, so voice errors need no special handling.
"""

from __future__ import annotations

from deskhand.core.errors import SetupError, Stopped, UsageError

__all__ = [
    "AudioFileError",
    "AudioUnavailable",
    "ChecksumMismatch",
    "DownloadCancelled",
    "ModelDownloadFailed",
    "RecognizerUnavailable",
]


class AudioUnavailable(SetupError):
    """No way to record: PortAudio missing, no input device, or the device stopped delivering."""


class RecognizerUnavailable(SetupError):
    """A speech recognizer cannot run (its package or its model is missing or broken)."""


class ModelDownloadFailed(SetupError):
    """The Whisper model could not be downloaded."""


class ChecksumMismatch(ModelDownloadFailed):
    """A downloaded file does not match the digest its publisher lists; it was deleted."""


class AudioFileError(UsageError):
    """The WAV file given on the command line cannot be used."""


class DownloadCancelled(Stopped):
    """The user cancelled a model download; what arrived is kept for a later resume."""
