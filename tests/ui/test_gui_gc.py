"""Cycles are collected on the GUI thread, by a timer, and never by a worker thread."""

from __future__ import annotations

import gc
import threading
import weakref

from pytestqt.qtbot import QtBot

from deskhand.app.tray.gui_gc import GuiThreadCollector


class Cycle:
    def __init__(self) -> None:
        self.me = self


def test_a_cycle_made_on_a_worker_is_freed_on_the_gui_thread(qtbot: QtBot) -> None:
    gc.enable()  # as at the app's start (the UI tests' fixture switches it off per test)
    collector = GuiThreadCollector(interval_ms=20)
    try:
        assert not gc.isenabled()
        freed_on: list[str] = []
        refs: list[weakref.ref[Cycle]] = []

        def work() -> None:
            for _ in range(5):
                cycle = Cycle()
                refs.append(weakref.ref(cycle, lambda _: freed_on.append(threading.current_thread().name)))
            for _ in range(3 * gc.get_threshold()[0]):  # enough allocations to fill generation 0
                Cycle()

        worker = threading.Thread(target=work, name="worker")
        worker.start()
        worker.join()
        assert all(ref() is not None for ref in refs)  # the worker did not collect them
        qtbot.waitUntil(lambda: all(ref() is None for ref in refs), timeout=5000)
        assert set(freed_on) == {threading.main_thread().name} and collector.collections > 0
    finally:
        collector.stop()
    assert gc.isenabled()
