"""``deskhand memory add TEXT | list | forget ID | clear | export``: what Deskhand remembers."""

from __future__ import annotations

import argparse
import sys
import time

from deskhand.app.store.config import load_settings
from deskhand.app.store.memory_store import MemoryStore
from deskhand.app.store.settings_store import personal_db_path
from deskhand.core.errors import UsageError

__all__ = ["open_memory", "run_memory"]


def open_memory() -> MemoryStore:
    return MemoryStore(personal_db_path(load_settings()))


def run_memory(args: argparse.Namespace) -> int:
    store = open_memory()
    return _COMMANDS[args.memory_command](store, args)


def _add(store: MemoryStore, args: argparse.Namespace) -> int:
    fact_id = store.add(args.text)
    sys.stdout.write(f"remembered #{fact_id}: {' '.join(args.text.split())}\n")
    return 0


def _list(store: MemoryStore, args: argparse.Namespace) -> int:
    facts = store.facts()
    if not facts:
        sys.stdout.write('nothing remembered yet (add a fact with `deskhand memory add "…"`)\n')
    for fact in facts:
        added = time.strftime("%Y-%m-%d", time.localtime(fact.created_at))
        by = "" if fact.source == "user" else " (proposed by the model)"
        sys.stdout.write(f"#{fact.id:<4} {added}  {fact.text}{by}\n")
    return 0


def _forget(store: MemoryStore, args: argparse.Namespace) -> int:
    if not store.forget(args.id):
        raise UsageError(f"There is no remembered fact #{args.id}. `deskhand memory list` shows them.")
    sys.stdout.write(f"forgot #{args.id}\n")
    return 0


def _clear(store: MemoryStore, args: argparse.Namespace) -> int:
    sys.stdout.write(f"forgot {store.clear()} facts\n")
    return 0


def _export(store: MemoryStore, args: argparse.Namespace) -> int:
    sys.stdout.write(store.export_text())
    return 0


_COMMANDS = {"add": _add, "list": _list, "forget": _forget, "clear": _clear, "export": _export}
