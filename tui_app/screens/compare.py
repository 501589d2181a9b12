"""The Compare screen: one prompt in 2 to 4 columns, each a model and an option set.

Every column runs in its own worker, so columns stream as the server allows and the screen
never waits; a column the server has not started on says it is queued. Stopping cancels every
column and keeps what arrived. Each finished run is saved in the store; the rules (figures,
bests, word diff, bench, Markdown) live in :mod:`tui_app.core.compare`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from functools import partial
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Static

from tui_app.api import OllamaError
from tui_app.core.chat_session import chat_title
from tui_app.core.compare import (
    MAX_COLUMNS,
    MIN_COLUMNS,
    Arrived,
    ColumnResult,
    ColumnSetup,
    Ended,
    RunFailed,
    bench_summary,
    comparison_from_json,
    comparison_to_json,
    comparison_to_markdown,
    differing_options,
    figure_rows,
    repeat_verdict,
    run_column,
    word_diff,
)
from tui_app.core.export import export_file_name
from tui_app.core.hosts import Host
from tui_app.core.options import RequestDefaults, preset_settings, resolve_settings
from tui_app.messages import OpenChat
from tui_app.screens.base import AreaScreen
from tui_app.screens.dialogs import ExportChatDialog, NameDialog
from tui_app.screens.options import preset_name_dialog
from tui_app.services import Services
from tui_app.store import ComparisonRecord, Preset, StoreError
from tui_app.widgets.compare import CompareColumn

THIS_CHAT = "this chat"
"""The option source holding the settings of the chat on the chat screen."""

BENCH_MAX = 50
"""The most runs per column a bench takes."""


def bench_runs_problem(text: str) -> str | None:
    """Why ``text`` is not a number of bench runs, or None."""
    try:
        runs = int(text.strip())
    except ValueError:
        return "Give a whole number of runs."
    if not 1 <= runs <= BENCH_MAX:
        return f"Between 1 and {BENCH_MAX} runs."
    return None


class CompareScreen(AreaScreen):
    """Compare: the same prompt in several columns, each a model plus an option set."""

    AREA_TITLE = "Compare"
    COMPACT_FOOTER = True

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012
    """Below 100 columns the columns stack, each over the next."""

    # The alt keys are priority bindings: a text box with focus would type their letter.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "alt+r",
            "run",
            "Run",
            id="compare.run",
            priority=True,
            tooltip="Run the prompt in every column",
        ),
        Binding("escape", "stop", "Stop", id="compare.stop", tooltip="Stop every column"),
        Binding(
            "ctrl+g",
            "repeat",
            "Repeat",
            id="compare.repeat",
            tooltip="Run every column again and show what changed",
        ),
        Binding(
            "alt+t",
            "bench",
            "Bench",
            id="compare.bench",
            priority=True,
            tooltip="Run each column N times",
        ),
        Binding("ctrl+n", "add_column", "Add column", id="compare.add"),
        Binding(
            "ctrl+d",
            "remove_column",
            "Remove column",
            id="compare.remove",
            priority=True,  # the text boxes would take ctrl+d as "delete right" (delete does)
        ),
        Binding(
            "alt+k",
            "keep",
            "Keep as chat",
            id="compare.keep",
            priority=True,
            tooltip="Turn the column with focus into a chat",
        ),
        Binding(
            "alt+p",
            "keep_preset",
            "Save preset",
            id="compare.preset",
            priority=True,
            tooltip="Save the options of the column with focus as a preset",
        ),
        Binding("alt+e", "export", "Export", id="compare.export", priority=True),
    ]

    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self._results: list[ColumnResult] = []
        """What each column got from the last run, in column order."""
        self._setups: list[ColumnSetup] = []
        """What each column asked for in the last run."""
        self._previous: list[str] | None = None
        """The replies of the run before a repeat."""
        self._prompt = ""
        self._system: str | None = None
        self._presets: dict[str, Preset] = {}
        self._chat_options: dict[str, object] = {}
        self._run_closed = True
        """The last run's figures are drawn and it is saved (or it never started)."""

    # -- layout ---------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        with Vertical(id="compare-head"):
            yield Input(
                placeholder="Prompt: enter runs it in every column",
                compact=True,
                id="compare-prompt",
            )
            yield Input(placeholder="System prompt (optional)", compact=True, id="compare-system")
        with Horizontal(id="compare-columns"):
            for number in range(1, MIN_COLUMNS + 1):
                yield CompareColumn(number)
        yield Static("", id="compare-progress")

    @property
    def columns(self) -> list[CompareColumn]:
        """The columns, left to right (top to bottom when stacked)."""
        return list(self.query(CompareColumn))

    def on_mount(self) -> None:
        self.follow(self.services.catalog.models, lambda _: self._models_changed())
        self.follow(self.services.hosts, lambda _: self._hosts_changed())
        self._hosts_changed()
        self.load_sources()
        self.focus_prompt()

    def focus_prompt(self) -> None:
        """Put focus in the prompt (the compare key does, pressed again)."""
        if self.is_mounted:
            self.query_one("#compare-prompt", Input).focus()

    def on_screen_resume(self) -> None:
        if not self.under_dialog:
            self.load_sources()

    def _host_of(self, name: str) -> Host:
        """The host a column's ``name`` means ("" is the default host)."""
        return self.services.hosts.get_or_default(name or None)

    def _models_on(self, host: str) -> list[str]:
        """The models installed on ``host``, as last listed."""
        return [model.name for model in self._host_of(host).catalog.models.value]

    def _models_changed(self) -> None:
        for column in self.columns:
            column.set_models(self._models_on(column.host))

    def _hosts_changed(self) -> None:
        hosts = self.services.hosts
        for column in self.columns:
            # A renamed host is found by its old name: the column stays on that machine.
            host = hosts.get(column.host) if column.host else None
            chosen = None if host is None else host.name
            column.set_hosts(hosts.names(), hosts.default.name, chosen)
        self._models_changed()

    @on(CompareColumn.HostChosen)
    def _host_chosen(self, event: CompareColumn.HostChosen) -> None:
        event.stop()
        event.column.set_models(self._models_on(event.host))
        host = self._host_of(event.host)
        if not host.catalog.models.value:
            self.refresh_host_models(host)

    @work(group="compare-hosts", exit_on_error=False)
    async def refresh_host_models(self, host: Host) -> None:
        """List ``host``'s models (the columns follow every host's list)."""
        with contextlib.suppress(OllamaError):
            await host.catalog.refresh()

    @work(exclusive=True, group="compare-sources", exit_on_error=False)
    async def load_sources(self) -> None:
        """Read the presets and the chat on the chat screen, the columns' option sources."""
        store = self.services.store
        chat_id = self.services.current.id.value

        def read() -> tuple[list[Preset], dict[str, object]]:
            defaults = RequestDefaults.load(store)
            chat = store.get_chat(chat_id) if chat_id is not None else None
            options = dict(resolve_settings(defaults, chat).request.options)
            return store.list_presets(), options

        try:
            presets, self._chat_options = await asyncio.to_thread(read)
        except StoreError as error:
            self.report(error, "Could not read the presets")
            return
        self._presets = {preset.name: preset for preset in presets}
        for column in self.columns:
            column.set_sources([THIS_CHAT, *self._presets])

    @on(CompareColumn.SourceChosen)
    def _source_chosen(self, event: CompareColumn.SourceChosen) -> None:
        if event.source == THIS_CHAT:
            event.column.fill_options(self._chat_options, THIS_CHAT)
        elif event.source in self._presets:
            options = preset_settings(self._presets[event.source]).options
            event.column.fill_options(options, event.source)

    @on(CompareColumn.SetupChanged)
    def _setup_changed(self) -> None:
        """Highlight what now differs between the columns."""
        setups = [setup for c in self.columns if isinstance(setup := c.setup(), ColumnSetup)]
        differing = differing_options(setups) if len(setups) == len(self.columns) else set()
        for column in self.columns:
            column.show_differing(differing)

    def _column_with_focus(self) -> int:
        """The index of the column holding focus (the first when none does)."""
        focused = self.focused
        for index, column in enumerate(self.columns):
            if focused is not None and (focused is column or column in focused.ancestors):
                return index
        return 0

    # -- columns --------------------------------------------------------------------------

    async def action_add_column(self) -> None:
        """Add a column (up to four), set up like the last one."""
        columns = self.columns
        if len(columns) >= MAX_COLUMNS:
            self.notify(f"At most {MAX_COLUMNS} columns.", severity="warning")
            return
        column = CompareColumn(len(columns) + 1)
        await self.query_one("#compare-columns").mount(column)
        hosts = self.services.hosts
        column.set_hosts(hosts.names(), hosts.default.name)
        column.set_models(self._models_on(""))
        column.set_sources([THIS_CHAT, *self._presets])
        last = columns[-1].setup()
        if isinstance(last, ColumnSetup):
            column.choose_host(last.host)
            column.set_models(self._models_on(last.host))
            column.choose(last.model, last.options)

    async def action_remove_column(self) -> None:
        """Remove the column with focus (two always stay)."""
        columns = self.columns
        if len(columns) <= MIN_COLUMNS:
            self.notify(f"A comparison needs {MIN_COLUMNS} columns.", severity="warning")
            return
        if self._busy():
            self.notify("Stop the run first (escape).", severity="warning")
            return
        index = self._column_with_focus()
        await columns[index].remove()
        for number, column in enumerate(self.columns, start=1):
            column.number = number
            column.show_differing(set())
        self._results = self._results[:index] + self._results[index + 1 :]
        self._setups = self._setups[:index] + self._setups[index + 1 :]

    # -- runs -----------------------------------------------------------------------------

    @on(Input.Submitted, "#compare-prompt")
    def _prompt_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_run()

    def _setups_or_say_why(self) -> list[ColumnSetup] | None:
        if self._busy():
            self.notify("A run is going on: escape stops it.", severity="warning")
            return None
        if not self.query_one("#compare-prompt", Input).value.strip():
            self.notify("Type a prompt first.", severity="warning")
            return None
        setups: list[ColumnSetup] = []
        for column in self.columns:
            setup = column.setup()
            if isinstance(setup, str):
                self.notify(setup, title="Not run", severity="warning", markup=False)
                return None
            setups.append(setup)
        return setups

    def action_run(self) -> None:
        """Run the prompt in every column."""
        self._start(repeat=False)

    def action_repeat(self) -> None:
        """Run every column again and mark each identical or changed against this run."""
        if not self._results or not any(r.status == "done" for r in self._results):
            self.notify("Run once first; repeat compares with that run.", severity="warning")
            return
        self._start(repeat=True)

    def _start(self, *, repeat: bool) -> None:
        setups = self._setups_or_say_why()
        if setups is None:
            return
        self._previous = [result.answer for result in self._results] if repeat else None
        if self._previous is not None and len(self._previous) != len(setups):
            self._previous = None
        self._prompt = self.query_one("#compare-prompt", Input).value
        self._system = self.query_one("#compare-system", Input).value or None
        self._setups = setups
        self._results = [ColumnResult("queued") for _ in setups]
        self._run_closed = False
        differing = differing_options(setups)
        for column, result in zip(self.columns, self._results, strict=True):
            column.clear_reply()
            column.show_status(result)
            column.show_differing(differing)
        self._say("")
        for index, setup in enumerate(setups):
            self.run_worker(
                self._run_one(index, setup),
                name=f"compare-{index + 1}",
                group="compare-run",
                exit_on_error=False,
            )

    async def _run_one(self, index: int, setup: ColumnSetup) -> None:
        """One column's request; cancelled, it keeps what arrived as stopped."""
        result = self._results[index]
        column = self.columns[index]
        try:
            async with contextlib.aclosing(
                run_column(self._host_of(setup.host).client, setup, self._prompt, self._system)
            ) as events:
                async for event in events:
                    if isinstance(event, Arrived):
                        started = result.status == "queued"
                        result.status = "streaming"
                        if started or (event.answer and not result.answer):
                            # A thinking model's reasoning is not drawn; say why nothing shows.
                            thinking = not result.answer and not event.answer
                            column.show_status(result, "thinking" if thinking else "")
                        result.thinking += event.thinking
                        result.answer += event.answer
                        column.add_text(event.answer)
                    elif isinstance(event, Ended):
                        result.stats = event.stats
                        result.status = "done"
                    elif isinstance(event, RunFailed):
                        result.status, result.error = "failed", event.error
        except asyncio.CancelledError:
            self._mark_stopped()
            raise
        if result.status in {"queued", "streaming"}:
            result.status, result.error = "failed", "the reply ended without a final chunk"
        column.show_status(result)
        self._column_ended()

    def _busy(self) -> bool:
        """Whether a run or a bench is going on (its workers are the truth, so a column
        cancelled before it ever started cannot leave the screen thinking it runs)."""
        return any(
            worker.group in {"compare-run", "compare-bench"} and not worker.is_finished
            for worker in self.workers
        )

    def _mark_stopped(self) -> None:
        """Every column still waiting or streaming is stopped, with what arrived."""
        for column, result in zip(self.columns, self._results, strict=False):
            if result.status in {"queued", "streaming"}:
                result.status = "stopped"
                column.show_status(result)
        self._column_ended()

    def _column_ended(self) -> None:
        """Once no column is waiting or streaming: figures, diffs, and save the run."""
        if self._run_closed or any(r.status in {"queued", "streaming"} for r in self._results):
            return
        self._run_closed = True
        rows = figure_rows([result.stats for result in self._results])
        for index, column in enumerate(self.columns[: len(self._results)]):
            column.show_figures(rows, index)
            if self._previous is not None:
                old, new = self._previous[index], self._results[index].answer
                column.show_diff(repeat_verdict(old, new), word_diff(old, new))
        self._save_run()

    @work(group="compare-save", exit_on_error=False)
    async def _save_run(self) -> None:
        """Keep the run in the store as a comparison."""
        data = comparison_to_json(self._prompt, self._system, self._pairs())
        try:
            record = await asyncio.to_thread(
                self.services.store.save_comparison, chat_title(self._prompt), data
            )
        except StoreError as error:
            self.report(error, "The comparison was not saved")
            return
        self._say(f"Saved as comparison {record.id}.")

    def _pairs(self) -> list[tuple[ColumnSetup, ColumnResult]]:
        return list(zip(self._setups, self._results, strict=True))

    def action_stop(self) -> None:
        """Stop every column (or the bench); what arrived stays."""
        running = [
            worker
            for worker in self.workers
            if worker.group in {"compare-run", "compare-bench"} and not worker.is_finished
        ]
        if not running:
            return
        for group in ("compare-run", "compare-bench"):
            self.workers.cancel_group(self, group)
        self._mark_stopped()
        self._say("Stopped: what arrived is kept.")

    def _say(self, text: str) -> None:
        self.query_one("#compare-progress", Static).update(text)

    # -- bench ----------------------------------------------------------------------------

    def action_bench(self) -> None:
        """Ask how many runs per column, then bench every column."""
        setups = self._setups_or_say_why()
        if setups is None:
            return
        dialog = NameDialog(
            "Bench: runs per column",
            "3",
            check=bench_runs_problem,
            placeholder="runs",
            hint="enter starts · escape cancels",
            confirm_label="Start",
        )

        def start(text: str | None) -> None:
            if text is not None:
                self.bench(setups, int(text))

        self.app.push_screen(dialog, start)

    @work(exclusive=True, group="compare-bench", exit_on_error=False)
    async def bench(self, setups: list[ColumnSetup], runs: int) -> None:
        """Run each column ``runs`` times, one request at a time so timings stay apart."""
        self._prompt = self.query_one("#compare-prompt", Input).value
        self._system = self.query_one("#compare-system", Input).value or None
        columns = self.columns
        stats: list[list[dict[str, object]]] = [[] for _ in setups]
        try:
            for run in range(1, runs + 1):
                for index, setup in enumerate(setups):
                    self._say(f"bench: run {run} of {runs}, column {index + 1} · escape cancels")
                    column = columns[index]
                    column.clear_reply()
                    column.show_note(f"bench: run {run} of {runs}")
                    client = self._host_of(setup.host).client
                    async with contextlib.aclosing(
                        run_column(client, setup, self._prompt, self._system)
                    ) as events:
                        async for event in events:
                            if isinstance(event, Arrived):
                                column.add_text(event.answer)
                            elif isinstance(event, Ended):
                                stats[index].append(event.stats)
                            elif isinstance(event, RunFailed):
                                column.show_note(f"bench: {event.error}")
        finally:
            self._show_bench(stats, runs)

    def _show_bench(self, stats: list[list[dict[str, object]]], runs: int) -> None:
        summaries = [bench_summary(column_stats) for column_stats in stats]
        most: dict[str, float] = {}
        for summary in summaries:
            for key, spread in summary.items():
                if spread is not None:
                    most[key] = max(most.get(key, 0.0), spread.high)
        for column, summary, column_stats in zip(self.columns, summaries, stats, strict=False):
            column.show_bench(len(column_stats), summary, most)
        done = min((len(column_stats) for column_stats in stats), default=0)
        self._say(
            f"bench: {done} of {runs} runs per column" + (" (cancelled)" if done < runs else "")
        )

    # -- keep the winner ------------------------------------------------------------------

    def _winner(self) -> tuple[ColumnSetup, ColumnResult] | None:
        index = self._column_with_focus()
        if index >= len(self._results) or not self._results[index].answer:
            self.notify("This column has no reply yet: run the prompt first.", severity="warning")
            return None
        return self._setups[index], self._results[index]

    @work(group="compare-keep", exit_on_error=False)
    async def action_keep(self) -> None:
        """Turn the column with focus into a chat: prompt, reply, model and options saved."""
        winner = self._winner()
        if winner is None:
            return
        setup, result = winner
        store, prompt, system = self.services.store, self._prompt, self._system

        def save() -> int:
            chat = store.create_chat(
                title=chat_title(prompt),
                model=setup.model,
                system=system,
                options=setup.options,
                host=setup.host or None,
            )
            store.add_message(chat.id, "user", prompt)
            store.add_message(
                chat.id,
                "assistant",
                result.answer,
                thinking=result.thinking,
                stats=result.stats,
                status="complete" if result.status == "done" else "stopped",
                model=setup.model,
            )
            return chat.id

        try:
            chat_id = await asyncio.to_thread(save)
        except StoreError as error:
            self.report(error, "The chat was not saved")
            return
        self.post_message(OpenChat(setup.model, chat_id=chat_id, host=setup.host))

    def action_keep_preset(self) -> None:
        """Save the options of the column with focus as a preset."""
        setup = self.columns[self._column_with_focus()].setup()
        if isinstance(setup, str):
            self.notify(setup, severity="warning", markup=False)
            return
        dialog = preset_name_dialog(
            "Save these options as a preset", taken=self._presets, may_replace=True
        )

        def save(name: str | None) -> None:
            if name is not None:
                self._save_preset(setup, name)

        self.app.push_screen(dialog, save)

    @work(group="compare-keep", exit_on_error=False)
    async def _save_preset(self, setup: ColumnSetup, name: str) -> None:
        preset = Preset(name.strip(), options=dict(setup.options))
        try:
            await asyncio.to_thread(self.services.store.save_preset, preset)
        except StoreError as error:
            self.report(error, "The preset was not saved")
            return
        self.notify(f"Saved the preset {preset.name}.", markup=False)
        self.load_sources()

    # -- export and saved comparisons -----------------------------------------------------

    def action_export(self) -> None:
        """Export the last run as Markdown: prompt, columns, options, replies, figures."""
        if not self._results:
            self.notify("Nothing to export yet: run the prompt first.", severity="warning")
            return
        text = comparison_to_markdown(self._prompt, self._system, self._pairs())
        title = f"compare {chat_title(self._prompt)}"
        self.app.push_screen(ExportChatDialog(title, f"~/{export_file_name(title)}", text))

    async def show_comparison(self, record: ComparisonRecord) -> None:
        """Show a saved comparison: its prompt, columns and replies, ready to run again."""
        prompt, system, pairs = comparison_from_json(record.data)
        if not pairs or self._busy():
            return
        while len(self.columns) < len(pairs):
            await self.action_add_column()
        while len(self.columns) > max(len(pairs), MIN_COLUMNS):
            await self.columns[-1].remove()
        self.query_one("#compare-prompt", Input).value = prompt
        self.query_one("#compare-system", Input).value = system or ""
        self._prompt, self._system = prompt, system
        self._setups = [setup for setup, _ in pairs]
        self._results = [result for _, result in pairs]
        rows = figure_rows([result.stats for result in self._results])
        differing = differing_options(self._setups)
        for index, (column, (setup, result)) in enumerate(zip(self.columns, pairs, strict=False)):
            column.choose_host(setup.host if self.services.hosts.get(setup.host) else "")
            column.set_models(self._models_on(column.host))
            column.choose(setup.model, setup.options)
            column.show_reply(result.answer)
            column.show_status(result)
            column.show_figures(rows, index)
            column.show_differing(differing)
        self._say(f"Comparison {record.id}: {record.title}")

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Compare: run", "Run the prompt in every column", self.action_run)
        yield SystemCommand(
            "Compare: repeat", "Run every column again and show what changed", self.action_repeat
        )
        yield SystemCommand("Compare: bench", "Run each column N times", self.action_bench)
        yield SystemCommand("Compare: add a column", "Up to four", self.action_add_column)
        yield SystemCommand(
            "Compare: keep the column as a chat",
            "Prompt, reply, model and options",
            self.action_keep,
        )
        yield SystemCommand(
            "Compare: save the column's options as a preset", "", self.action_keep_preset
        )
        yield SystemCommand("Compare: export to Markdown", "", self.action_export)
        try:
            saved = self.services.store.list_comparisons()[:10]
        except StoreError:
            saved = []
        for record in saved:
            yield SystemCommand(
                f"Compare: open {record.id} · {record.title}",
                "A saved comparison",
                partial(self.show_comparison, record),
            )
