"""A pure async client for the Ollama HTTP API (no UI imports)."""

from tui_app.api.client import OllamaClient
from tui_app.api.errors import (
    ConnectionLostError,
    MalformedResponseError,
    ModelNotFoundError,
    OllamaError,
    OllamaHTTPError,
    OllamaStreamError,
    OllamaUnavailableError,
)
from tui_app.api.host import DEFAULT_HOST, InvalidHostError, host_from_environment, resolve_host
from tui_app.api.models import (
    ChatChunk,
    ChatMessage,
    EmbedResult,
    GenerateChunk,
    Metrics,
    ModelDetails,
    ModelInfo,
    ModelSummary,
    ProgressUpdate,
    RunningModel,
    ToolCall,
    parse_timestamp,
)

__all__ = [
    "DEFAULT_HOST",
    "ChatChunk",
    "ChatMessage",
    "ConnectionLostError",
    "EmbedResult",
    "GenerateChunk",
    "InvalidHostError",
    "MalformedResponseError",
    "Metrics",
    "ModelDetails",
    "ModelInfo",
    "ModelNotFoundError",
    "ModelSummary",
    "OllamaClient",
    "OllamaError",
    "OllamaHTTPError",
    "OllamaStreamError",
    "OllamaUnavailableError",
    "ProgressUpdate",
    "RunningModel",
    "ToolCall",
    "host_from_environment",
    "parse_timestamp",
    "resolve_host",
]
