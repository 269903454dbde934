"""The fake Ollama server as the benchmark runs it: ``python -m bench.fake_server ARGS``.

Same as ``python -m tests.fakeollama`` but with Nagle's algorithm off on its sockets, as
Ollama's Go server has it (Go's ``net`` sets TCP_NODELAY by default).  Python's
``http.server`` leaves it on, so a streamed chunk written right after the headers waits for
the client's delayed ACK -- ~40 ms on Linux -- which would be counted as model time here
and is no cost of Deskhand's nor of a real Ollama.
"""

from __future__ import annotations

import sys

from tests.fakeollama.__main__ import main
from tests.fakeollama.wire import WireHandler

if __name__ == "__main__":
    WireHandler.disable_nagle_algorithm = True
    sys.exit(main())
