"""The one-line status bar at the top of every screen."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.widgets import Static

from tui_app.core.connection import ConnectionStatus, LinkState
from tui_app.core.formatting import visible_controls

VERSION_LIMIT = 24
"""Characters of the server's version shown; the host and model must stay in view."""


class StatusBar(Static):
    """Connection state, server version, host, the current chat's model and running pulls.

    It is told what to show by its screen (:meth:`show`), which follows the shared state,
    so every screen shows the same facts.
    """

    DEFAULT_CSS = """
    StatusBar {
        dock: top;
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text-muted;
    }
    StatusBar.-offline {
        background: $error 30%;
        color: $text;
    }
    """

    def show(
        self,
        status: ConnectionStatus,
        *,
        host: str,
        model: str,
        demo: bool,
        transfers: int = 0,
        hosts: Sequence[tuple[str, ConnectionStatus]] = (),
    ) -> None:
        """Show these facts (every value is plain text, never markup).

        With more than one entry in ``hosts`` (name and status of each), every host's state
        is shown compactly; ``status`` and ``host`` are then those of the current chat's host.
        """
        self.set_class(status.state is LinkState.OFFLINE, "-offline")
        if len(hosts) > 1:
            self.update(self.describe_hosts(status, host, model, demo, transfers, hosts))
        else:
            self.update(self.describe(status, host, model, demo, transfers))

    @staticmethod
    def describe_hosts(
        status: ConnectionStatus,
        host: str,
        model: str,
        demo: bool,
        transfers: int,
        hosts: Sequence[tuple[str, ConnectionStatus]],
    ) -> Content:
        """The bar's text for several hosts: each one's state, then the chat's host and model."""
        parts: list[Content] = []
        for raw_name, each in hosts:
            # Host names come from the config file and versions from the servers: both are
            # shown as plain text with their controls visible.
            name = visible_controls(raw_name, multi_line=False)
            if each.state is LinkState.ONLINE:
                version = _short_version(each.version)
                state = Content.styled("●", "$success") + Content(f" {name} {version}")
            elif each.state is LinkState.CONNECTING:
                state = Content.styled("◌", "$warning") + Content(f" {name}")
            elif each.state is LinkState.AUTH_FAILED:
                state = Content.styled("✗", "bold $error") + Content(f" {name} auth failed")
            else:
                state = Content.styled("○", "bold") + Content(f" {name} offline")
            parts.append(state.rstrip())
        if demo:
            parts.append(Content.styled("DEMO: simulated replies", "bold $warning"))
        where = Content(f"chat on {visible_controls(host, multi_line=False)}")
        if status.state is LinkState.OFFLINE:
            where += Content.styled(" (offline)", "bold")
        if model:
            where += Content(f" · model {visible_controls(model, multi_line=False)}")
        parts.append(where)
        if transfers:
            parts.append(Content(f"{transfers} pull{'' if transfers == 1 else 's'} running"))
        return Content(" · ").join(parts)

    @staticmethod
    def describe(
        status: ConnectionStatus, host: str, model: str, demo: bool, transfers: int = 0
    ) -> Content:
        """The bar's text; every value is plain text, never markup, and one line with its
        control characters visible (the model name may come from an old saved chat)."""
        parts: list[Content] = []
        if status.state is LinkState.ONLINE:
            parts.append(Content.styled("● online", "$success"))
            if status.version:
                parts.append(Content(f"Ollama {_short_version(status.version)}"))
        elif status.state is LinkState.CONNECTING:
            parts.append(Content.styled("◌ connecting", "$warning"))
        elif status.state is LinkState.AUTH_FAILED:
            parts.append(Content.styled("✗ authentication failed", "bold $error"))
        else:
            parts.append(Content.styled("○ offline", "bold"))
        parts.append(Content(host))
        if demo:
            parts.append(Content.styled("DEMO: simulated replies", "bold $warning"))
        if status.state is LinkState.AUTH_FAILED:
            parts.append(Content(visible_controls(status.error, multi_line=False)))
        elif status.state is LinkState.OFFLINE:
            parts.append(Content("start Ollama with `ollama serve` · retrying (ctrl+r now)"))
        elif model:
            parts.append(Content(f"model {visible_controls(model, multi_line=False)}"))
        if transfers:
            parts.append(Content(f"{transfers} pull{'' if transfers == 1 else 's'} running"))
        return Content(" · ").join(parts)


def _short_version(raw: str) -> str:
    """A server's version as plain text, cut to :data:`VERSION_LIMIT` characters."""
    version = visible_controls(raw, multi_line=False)
    if len(version) > VERSION_LIMIT:  # a server's "version" can be a paragraph
        version = version[: VERSION_LIMIT - 1] + "…"
    return version
