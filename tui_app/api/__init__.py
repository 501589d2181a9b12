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
    ReplyTimeoutError,
)
from tui_app.api.host import DEFAULT_HOST, InvalidHostError, host_from_environment, resolve_host
from tui_app.api.models import (
    BlobUpload,
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
    Streamed,
    ToolCall,
    parse_timestamp,
)
from tui_app.api.requests import ChatRequest, EmbedRequest, GenerateRequest

__all__ = [
    "DEFAULT_HOST",
    "BlobUpload",
    "ChatChunk",
    "ChatMessage",
    "ChatRequest",
    "ConnectionLostError",
    "EmbedRequest",
    "EmbedResult",
    "GenerateChunk",
    "GenerateRequest",
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
    "ReplyTimeoutError",
    "RunningModel",
    "Streamed",
    "ToolCall",
    "host_from_environment",
    "parse_timestamp",
    "resolve_host",
]
