"""A fake Ollama server over real HTTP with a scripted, truthful vision "model".

See ``server.FakeOllama`` (Python API), ``script`` (step reference), ``fixtures`` (pytest) and
``__main__`` (``python -m tests.fakeollama --port N --script FILE.json``).
"""

from .oracle import Box, locate
from .script import ScriptError
from .server import DEFAULT_MODELS, FakeOllama
from .spaces import dialect_for, model_extent, smart_resize, to_model
from .state import DEFAULT_LIBRARY, ModelSpec, RecordedRequest

__all__ = [
    "DEFAULT_LIBRARY",
    "DEFAULT_MODELS",
    "Box",
    "FakeOllama",
    "ModelSpec",
    "RecordedRequest",
    "ScriptError",
    "dialect_for",
    "locate",
    "model_extent",
    "smart_resize",
    "to_model",
]
