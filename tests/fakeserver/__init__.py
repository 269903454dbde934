"""What the fake model servers share: lifecycle, request recording, the HTTP plumbing and
the ``python -m`` command line.  Each protocol adds its own routes on top:
``tests.fakeollama`` (Ollama's NDJSON API) and ``tests.fakeopenai`` (OpenAI-compatible SSE).

* ``server.FakeServer``  -- start/stop on a free port of 127.0.0.1, the script, the record of
                            requests, emulated latency.
* ``record.Recorded``    -- one request received and what it was answered.
* ``wire.WireHandler``   -- JSON bodies, chunked transfer, dropped connections, and the
                            record-route-done frame of every request.
* ``cli``                -- the shared half of each ``__main__`` (imported only from there).
"""

from .record import Recorded
from .server import FakeServer, Serving, started
from .wire import ClientGone, WireHandler

__all__ = ["ClientGone", "FakeServer", "Recorded", "Serving", "WireHandler", "started"]
