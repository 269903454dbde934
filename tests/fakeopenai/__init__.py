"""A fake OpenAI-compatible chat-completions server over real HTTP, with the fake Ollama's
truthful oracle behind it.

See ``server.FakeOpenAI`` (Python API), ``handler`` (the wire), ``fixtures`` (pytest) and
``__main__`` (``python -m tests.fakeopenai --port N --script FILE.json``).
"""

from .record import FLAVORS, Request
from .server import DEFAULT_MODELS, FakeOpenAI

__all__ = ["DEFAULT_MODELS", "FLAVORS", "FakeOpenAI", "Request"]
