"""A faithful simulated Ollama server for ``--demo``, the tests and the benchmarks.

It speaks Ollama's real wire format (see ``ollama-api.md``): NDJSON streams, Go-style JSON,
exact error texts and statuses, pull progress, load/unload and ``/api/ps`` expiry. Reach it in
process with ``SimulatedOllama().transport()`` or on a loopback socket with ``serve()``.
"""

from ._cli import main
from ._http import SimTransport, SimulatedServer
from ._models import SimModel, default_catalog, default_models, many_models
from ._sim import (
    ConnectionDropped,
    Fault,
    RecordedRequest,
    SimResponse,
    SimulatedOllama,
)

__all__ = [
    "ConnectionDropped",
    "Fault",
    "RecordedRequest",
    "SimModel",
    "SimResponse",
    "SimTransport",
    "SimulatedOllama",
    "SimulatedServer",
    "default_catalog",
    "default_models",
    "main",
    "many_models",
]
