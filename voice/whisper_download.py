"""Downloading a faster-whisper model: progress, cancel, resume, checksums, clear failures.

The files come from the model's hub repository (Systran's CTranslate2 conversions), as
listed by the hub's tree API.  That listing also gives each file's digest -- SHA-256 for
large (LFS) files, the git blob SHA-1 for small ones -- and every file is checked against
it before it is used, so a cut, a bad proxy or a full disk can never leave a model that
loads garbage.  (The ETag header is not used: for large files the hub sends a chunk-store
hash there, not a digest of the file.)

Files arrive in ``<size>.partial/`` as ``NAME.part``; an interrupted file is continued with
an HTTP Range request (by the automatic retry after a cut, or by the next download after
a cancel), and the folder is renamed into place only when every file checks out.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from deskhand.voice.errors import ChecksumMismatch, DownloadCancelled, ModelDownloadFailed
from deskhand.voice.whisper_choice import MODEL_SIZES

__all__ = ["DEFAULT_HUB", "RemoteFile", "WhisperModelStore", "hub_url"]

log = logging.getLogger(__name__)

DEFAULT_HUB = "https://huggingface.co"
_SKIP = {"README.md", ".gitattributes"}
Progress = Callable[[int, int], None]  # bytes so far, bytes in all


def hub_url() -> str:
    """The hub to download from: ``HF_ENDPOINT`` (the hub's own mirror setting) if set."""
    return os.environ.get("HF_ENDPOINT", "").rstrip("/") or DEFAULT_HUB


@dataclass(frozen=True, slots=True)
class RemoteFile:
    path: str
    size: int
    sha256: str | None  # LFS files
    git_sha1: str | None  # small files, checked as a git blob

    def check(self, data_path: Path) -> tuple[str, str] | None:
        """None if the file on disk is this one, else (kind, actual digest)."""
        if self.sha256:
            h = hashlib.sha256()
        else:
            h = hashlib.sha1(usedforsecurity=False)
            h.update(f"blob {data_path.stat().st_size}\0".encode())
        with data_path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        expected = self.sha256 or self.git_sha1
        return None if h.hexdigest() == expected else ("SHA-256" if self.sha256 else "SHA-1", h.hexdigest())


class WhisperModelStore:
    """Whisper models under ``root`` (the platform cache dir); downloads them on request."""

    def __init__(
        self,
        root: Path,
        *,
        hub: str | None = None,
        revision: str = "main",
        client: httpx.Client | None = None,
        retries: int = 3,
        chunk_size: int = 1 << 16,
    ) -> None:
        self.root = root
        self.hub = (hub or hub_url()).rstrip("/")
        self.revision = revision
        self.client = client or httpx.Client(follow_redirects=True, timeout=httpx.Timeout(30.0, connect=10.0))
        self.retries = retries
        self.chunk_size = chunk_size

    @staticmethod
    def repo(size: str) -> str:
        return f"Systran/faster-whisper-{size}"

    def folder(self, size: str) -> Path:
        return self.root / f"faster-whisper-{size}"

    def is_present(self, size: str) -> bool:
        return (self.folder(size) / ".complete").is_file()

    def _failed(self, size: str, why: str) -> ModelDownloadFailed:
        approx = MODEL_SIZES.get(size)
        about = f" (about {approx} MB)" if approx else ""
        return ModelDownloadFailed(
            f"Tried to download the Whisper model '{size}'{about} from {self.hub}, but {why}. "
            'Check the network and try again, or set recognizer = "pocketsphinx" in the settings '
            "to use the built-in English recognizer, which needs no download."
        )

    def listing(self, size: str) -> list[RemoteFile]:
        if os.environ.get("HF_HUB_OFFLINE", "") not in ("", "0"):
            raise self._failed(size, "HF_HUB_OFFLINE is set, so no download is attempted")
        url = f"{self.hub}/api/models/{self.repo(size)}/tree/{self.revision}"
        try:
            response = self.client.get(url)
        except httpx.HTTPError as exc:
            raise self._failed(size, f"could not reach it ({_reason(exc)})") from exc
        if response.status_code == 404:
            raise self._failed(size, f"it has no model named {self.repo(size)}")
        if response.status_code != 200:
            raise self._failed(size, f"its file list answered HTTP {response.status_code}")
        try:
            entries: list[dict[str, Any]] = response.json()
            files = [
                RemoteFile(
                    e["path"],
                    int(e["size"]),
                    (e.get("lfs") or {}).get("oid"),
                    None if e.get("lfs") else e["oid"],
                )
                for e in entries
                if e.get("type") == "file" and e["path"] not in _SKIP and "/" not in e["path"]
            ]
        except (ValueError, KeyError, TypeError) as exc:
            raise self._failed(size, f"its file list was not understood ({exc})") from exc
        if not any(f.path == "model.bin" for f in files):
            raise self._failed(size, "its file list has no model.bin")
        return files

    def download(
        self, size: str, *, progress: Progress | None = None, cancel: threading.Event | None = None
    ) -> Path:
        """Fetch (or finish fetching) the model; returns its folder. Safe to call again."""
        final = self.folder(size)
        if self.is_present(size):
            return final
        files = self.listing(size)
        staging = self.root / f"faster-whisper-{size}.partial"
        try:
            staging.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise self._failed(size, f"the folder {staging} cannot be created ({exc.strerror})") from exc
        total = sum(f.size for f in files)
        done = [sum(_on_disk(staging, f) for f in files)]

        def advance(n: int) -> None:
            done[0] += n
            if progress is not None:
                progress(min(done[0], total), total)

        advance(0)
        for remote in files:
            self._fetch(size, remote, staging, advance, cancel)
        (staging / ".complete").write_text(self.revision + "\n", encoding="utf-8")
        if final.exists():
            shutil.rmtree(final)
        staging.rename(final)
        return final

    def _fetch(
        self,
        size: str,
        remote: RemoteFile,
        staging: Path,
        advance: Callable[[int], None],
        cancel: threading.Event | None,
    ) -> None:
        dest, part = staging / remote.path, staging / f"{remote.path}.part"
        if dest.exists():
            return  # verified when it was completed
        url = f"{self.hub}/{self.repo(size)}/resolve/{self.revision}/{remote.path}"
        error: httpx.HTTPError | None = None
        for _ in range(self.retries + 1):  # a cut is retried at once, resuming where it broke
            if _size(part) >= remote.size:
                break
            try:
                self._stream(url, part, _size(part), advance, cancel, size)
            except httpx.HTTPError as exc:
                error = exc
                log.info(
                    "download of %s cut at %d bytes (%s); resuming", remote.path, _size(part), _reason(exc)
                )
        got = _size(part)
        if got < remote.size:
            why = _reason(error) if error else "the server sent less than it listed"
            raise self._failed(
                size, f"the transfer of {remote.path} broke at {got:,} of {remote.size:,} bytes ({why})"
            )
        mismatch = remote.check(part)
        if mismatch is not None:
            part.unlink(missing_ok=True)
            kind, actual = mismatch
            raise ChecksumMismatch(
                f"Downloaded {remote.path} of the Whisper model '{size}', but its {kind} is {actual}, "
                f"not the published {remote.sha256 or remote.git_sha1}. The file was deleted; try again, "
                "and if it happens again something on the network is altering the download."
            )
        part.rename(dest)

    def _stream(
        self,
        url: str,
        part: Path,
        have: int,
        advance: Callable[[int], None],
        cancel: threading.Event | None,
        size: str,
    ) -> None:
        headers = {"Range": f"bytes={have}-"} if have else {}
        with self.client.stream("GET", url, headers=headers) as response:
            if response.status_code == 416:  # asked past the end: the part is complete
                return
            if response.status_code not in (200, 206):
                raise self._failed(size, f"{url} answered HTTP {response.status_code}")
            mode = "ab" if response.status_code == 206 else "wb"
            if mode == "wb" and have:
                advance(-have)  # the server ignored Range: start this file over
            try:
                with part.open(mode) as fh:
                    for block in response.iter_bytes(self.chunk_size):
                        if cancel is not None and cancel.is_set():
                            raise DownloadCancelled(
                                f"Cancelled the download of the Whisper model '{size}'. What arrived is "
                                "kept; the next download resumes from there."
                            )
                        fh.write(block)
                        advance(len(block))
            except OSError as exc:
                raise self._failed(
                    size, f"writing {part} failed ({exc.strerror}); free some disk space"
                ) from exc


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def _on_disk(staging: Path, remote: RemoteFile) -> int:
    for name in (remote.path, f"{remote.path}.part"):
        path = staging / name
        if path.exists():
            return path.stat().st_size
    return 0


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) < 160 else text[:157] + "..."
