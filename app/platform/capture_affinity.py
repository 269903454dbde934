"""Keep a window out of screenshots without hiding it, where the platform allows.

* Windows 10 2004+: ``SetWindowDisplayAffinity(hwnd, WDA_EXCLUDEFROMCAPTURE)`` -- the window
  stays visible to the user and is left out of every capture, including mss's BitBlt.
* macOS: ``NSWindow.sharingType = NSWindowSharingNone`` through PyObjC, when it is
  installed; screen capture APIs then skip the window.
* X11 has no such property: there ``exclude_from_capture`` returns False and the caller
  hides the window around each capture instead.

Neither Windows nor macOS is exercised by the test suite here (it runs on X11 only).
"""

from __future__ import annotations

import logging
import sys

log = logging.getLogger(__name__)

WDA_EXCLUDEFROMCAPTURE = 0x00000011
NS_WINDOW_SHARING_NONE = 0


def exclude_from_capture(window_id: int) -> bool:
    """Mark the native window ``window_id`` (``QWidget.winId()``); True if it worked."""
    if sys.platform == "win32":
        return _windows_affinity(window_id)
    if sys.platform == "darwin":
        return _macos_sharing_none(window_id)
    return False


def _windows_affinity(hwnd: int) -> bool:  # pragma: no cover - Windows only
    if sys.platform != "win32":
        return False
    import ctypes

    user32 = ctypes.windll.user32
    user32.SetWindowDisplayAffinity.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
    ok = bool(user32.SetWindowDisplayAffinity(ctypes.c_void_p(hwnd), WDA_EXCLUDEFROMCAPTURE))
    if not ok:
        log.info("SetWindowDisplayAffinity failed (Windows older than 10 2004?); hiding instead")
    return ok


def _macos_sharing_none(view_pointer: int) -> bool:  # pragma: no cover - macOS only
    try:
        import objc
    except ImportError:
        log.info("PyObjC is not installed; our windows are hidden around captures instead")
        return False
    view = objc.objc_object(c_void_p=view_pointer)
    window = view.window()
    if window is None:
        return False
    window.setSharingType_(NS_WINDOW_SHARING_NONE)
    return True
