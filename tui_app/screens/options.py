"""The Options screen: every Ollama option, checked as typed, per chat or globally, with presets.

The form edits one level at a time: the overrides of the chat in view (``services.current``)
or the global defaults that every chat starts from. Nothing is written until the form is saved,
and a form with an invalid field cannot be saved, so a failed edit never loses what is stored.
The notes and the preview come from :func:`~tui_app.core.options.resolve_settings` of the
form's values, the same function the chat screen uses for its header and its request.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterable
from functools import partial
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.markup import escape
from textual.reactive import reactive
from textual.widgets import Button, Label, Select, Static, Switch

from tui_app.api import ModelInfo, ModelNotFoundError, OllamaError, OllamaUnavailableError
from tui_app.api.show_parameters import parse_show_parameters
from tui_app.core.options import (
    FIELD_NAMES,
    FIELD_VALIDATORS,
    REQUEST_FIELD_HELP,
    SOURCE_LABELS,
    SPECS_BY_NAME,
    THINK_LEVELS,
    InForce,
    RequestDefaults,
    RequestSettings,
    Scope,
    display_value,
    ensure_shipped_presets,
    fields_in_force,
    levels_after_edit,
    model_default,
    model_thinks,
    option_warning,
    preset_settings,
    resolve_settings,
    schema_problem,
    settings_from_texts,
    settings_texts,
)
from tui_app.screens.base import AreaScreen
from tui_app.screens.dialogs import ConfirmDialog, NameDialog
from tui_app.services import Services
from tui_app.store import ChatRecord, NotFoundError, Preset, StoreError
from tui_app.widgets.option_field import (
    ChoiceField,
    FormatField,
    OptionField,
    StopField,
    TextField,
)


def build_field(name: str) -> OptionField:
    """The form field for option or request field ``name``."""
    check = FIELD_VALIDATORS[name]
    spec = SPECS_BY_NAME.get(name)
    if spec is not None:
        if spec.kind == "strings":
            return StopField(name, spec.help, check)
        return TextField(name, spec.help, check)
    help_text = REQUEST_FIELD_HELP[name]
    if name == "think":
        return ChoiceField(name, help_text, check, THINK_LEVELS)
    if name == "format":
        return FormatField(name, help_text, check, schema_problem)
    return TextField(name, help_text, check)


def describe_in_force(name: str, value: object) -> str:
    """A value in force as the note shows it, including what "nothing set" means."""
    if value is None:
        if name == "think":
            return "the model decides"
        if name == "format":
            return "free text"
        if name == "stop":
            return "none"
        return "unset"
    if name == "format" and isinstance(value, str) and value != "json":
        return "JSON schema"
    return display_value(value)


def preset_name_dialog(
    title: str, *, initial: str = "", taken: Iterable[str] = (), may_replace: bool
) -> NameDialog:
    """The dialog asking for a preset name; it returns the name, or ``None`` when cancelled.

    With ``may_replace`` a taken name is allowed and the hint says it replaces that preset;
    without it a taken name is refused.
    """
    names = set(taken)

    def problem(name: str) -> str | None:
        if not name.strip():
            return "A preset needs a name."
        if name.strip() in names and not may_replace:
            return "Another preset already has this name."
        return None

    def hint(name: str) -> str:
        if name.strip() in names and may_replace:
            return "enter replaces the preset with this name · escape cancels"
        return "enter saves · escape cancels"

    return NameDialog(
        title, initial, check=problem, placeholder="Preset name", hint=hint, confirm_label="Save"
    )


class OptionsScreen(AreaScreen):
    """Options: every Ollama option for the chat in view or as global defaults; presets."""

    AREA_TITLE = "Options"

    # Textual declares this as an instance-or-class attribute, so it cannot carry ClassVar here.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012
    """Below 100 columns each field puts its note under the editor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+s",
            "save",
            "Save",
            id="options.save",
            tooltip="Save the form (also a button and in the palette)",
        ),
        Binding(
            "ctrl+t",
            "toggle_scope",
            "Chat/global",
            id="options.scope",
            tooltip="Switch between this chat's overrides and the global defaults",
        ),
    ]

    scope: reactive[Scope] = reactive("global", init=False)
    """The level the form edits."""

    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self._defaults = RequestDefaults()
        """The global defaults as saved."""
        self._chat: ChatRecord | None = None
        """The chat in view as saved, or None."""
        self._saved = RequestDefaults()
        """What is saved at the current scope (the form is "unsaved" when it differs)."""
        self._edited = RequestDefaults()
        """The form's valid values, as of the last recompute."""
        self._problems: dict[str, str] = {}
        """Reason per invalid field, as of the last recompute."""
        self._presets: list[Preset] = []
        self._model_parameters: dict[str, object] = {}
        """Per model: whether ``/api/show`` lists the thinking capability."""
        self._wanted_model: str | None = None
        self._forced_global = True
        """The scope is global only because no chat was open."""
        self._recompute_pending = False
        self._reset_pending = False
        """The next load refills the form even if it has unsaved changes."""

    # -- layout ------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="options-top"):
            yield Static(id="options-scope")
            yield Label("Global defaults", id="options-global-label")
            yield Switch(value=True, id="options-global", tooltip="ctrl+t switches")
        yield Static(id="options-model")
        with Horizontal(id="options-body"):
            with VerticalScroll(id="options-form"):
                for name in FIELD_NAMES:
                    yield build_field(name)
            with Vertical(id="options-side"):
                yield Label("Presets", classes="options-heading")
                yield Select[str]([], prompt="choose a preset", compact=True, id="options-presets")
                with Horizontal(classes="options-buttons"):
                    yield Button("Apply", id="preset-apply", compact=True)
                    yield Button("Save as…", id="preset-save", compact=True)
                    yield Button("Rename…", id="preset-rename", compact=True)
                    yield Button("Delete", id="preset-delete", compact=True)
                yield Label(id="options-preview-title", classes="options-heading")
                with VerticalScroll(id="options-preview-box"):
                    yield Static(id="options-preview")
                yield Static(id="options-status")
                with Horizontal(classes="options-buttons"):
                    yield Button("Save", id="options-save", variant="primary", compact=True)
                    yield Button("Revert", id="options-revert", compact=True)
                    yield Button("Reset to defaults", id="options-reset", compact=True)

    def on_mount(self) -> None:
        services = self.services
        self.follow(services.current.id, self._chat_changed)
        self.follow(services.current.model, self._model_changed)
        self.follow(services.catalog.models, self._models_listed)

    def on_screen_resume(self) -> None:
        if not self.under_dialog:
            # Arriving from another screen: start at the first field, with fresh data.
            self.field("temperature").focus_editor()
            self.reload()

    # -- lookups -----------------------------------------------------------------------

    def field(self, name: str) -> OptionField:
        """The form field for ``name``."""
        return self.query_one(f"#option-{name.replace('_', '-')}", OptionField)

    @property
    def fields(self) -> list[OptionField]:
        """Every form field, in form order."""
        return list(self.query(OptionField))

    @property
    def dirty(self) -> bool:
        """Whether the form differs from what is saved at its scope."""
        edited, problems = self._read_form()
        return bool(problems) or edited != self._saved

    @property
    def problems(self) -> dict[str, str]:
        """Reason per invalid field, as the form stands now."""
        return self._read_form()[1]

    def _read_form(self) -> tuple[RequestDefaults, dict[str, str]]:
        fields = self.fields
        edited, problems = settings_from_texts({f.field_name: f.text for f in fields})
        for field in fields:
            # Fields know checks the texts alone cannot (an empty schema is not "unset").
            reason = field.check()
            if reason is not None:
                problems.setdefault(field.field_name, reason)
        return edited, problems

    # -- loading -----------------------------------------------------------------------

    def _read_store(
        self, chat_id: int | None
    ) -> tuple[RequestDefaults, ChatRecord | None, list[Preset]]:
        store = self.services.store
        ensure_shipped_presets(store)
        chat = store.get_chat(chat_id) if chat_id is not None else None
        return RequestDefaults.load(store), chat, store.list_presets()

    def reload(self, *, reset_form: bool = False) -> None:
        """Read the defaults, the chat in view and the presets again.

        The form is refilled if it has no unsaved changes, or with ``reset_form`` (the chat
        changed); otherwise the user's edits stay.
        """
        # A flag rather than an argument: a newer load replaces this one but must still reset.
        self._reset_pending = self._reset_pending or reset_form
        self._load()

    @work(exclusive=True, group="options-load", exit_on_error=False)
    async def _load(self) -> None:
        try:
            defaults, chat, presets = await asyncio.to_thread(
                self._read_store, self.services.current.id.value
            )
        except StoreError as exc:
            self.report(exc, "Could not read options")
            return
        # Measured after the read: the user may have typed while it ran.
        was_dirty = self.dirty
        self._defaults, self._chat = defaults, chat
        self._set_presets(presets)
        scope = self.scope
        if chat is None:
            scope, self._forced_global = "global", True
        elif self._forced_global and not (was_dirty and scope == "global"):
            scope, self._forced_global = "chat", False
        refill = self._reset_pending or not was_dirty or scope != self.scope
        self._reset_pending = False
        self.scope = scope
        self._saved = self._saved_at(scope)
        if refill:
            self.fill_form(self._saved)
        self._sync_switch()
        # With no chat yet, the model a new chat would start with is the one in the status bar.
        model = chat.model if chat is not None else self.services.current.model.value
        self._want_model(model or None)
        self._recompute()

    def _saved_at(self, scope: Scope) -> RequestDefaults:
        if scope == "chat" and self._chat is not None:
            return RequestDefaults.of_chat(self._chat)
        return self._defaults

    def fill_form(self, settings: RequestDefaults) -> None:
        """Show ``settings`` in the form (nothing is saved)."""
        for name, text in settings_texts(settings).items():
            field = self.field(name)
            field.set_text(text)
            field.check()
        self._schedule_recompute()

    def _chat_changed(self, _: int | None) -> None:
        if self.scope == "chat" and self._chat is not None and self.dirty:
            self.notify(
                f"Unsaved option changes for {self._chat.title!r} were discarded.",
                title="Options",
                severity="warning",
                markup=False,
            )
        self._reload_when_seen(reset_form=self.scope == "chat")

    def _model_changed(self, _: str) -> None:
        self._reload_when_seen()

    def _reload_when_seen(self, *, reset_form: bool = False) -> None:
        """Reload now if the screen is in view (or under its own dialog); otherwise when it
        is shown again, which reloads anyway."""
        if self.is_current or self.under_dialog:
            self.reload(reset_form=reset_form)
        else:
            self._reset_pending = self._reset_pending or reset_form

    def _models_listed(self, _: object) -> None:
        # A pull or create may have replaced a model, and its parameters with it.
        if self.is_current and self.is_mounted:
            self._want_model(self._wanted_model)

    # -- the model's own defaults --------------------------------------------------------

    def _want_model(self, model: str | None) -> None:
        self._wanted_model = model
        if model is None:
            self._model_parameters = {}
            why = "No model chosen yet" if self._chat is None else "This chat has no model yet"
            self._show_model_note(Content(f"{why}: Ollama's defaults are shown."))
            return
        cached = self.services.catalog.cached_info(model)
        if cached is not None:
            self._use_parameters(model, parse_show_parameters(cached.parameters))
            return
        self._show_model_note(Content.assemble("Reading the defaults of ", (model, "bold"), "…"))
        self.fetch_model_defaults(model)

    @work(exclusive=True, group="options-show", exit_on_error=False)
    async def fetch_model_defaults(self, model: str) -> None:
        """Ask the server for ``model``'s own parameters and show them beside each field."""
        note: Content | None = None
        parameters: dict[str, object] = {}
        try:
            info = await self.services.catalog.info(model)
        except OllamaUnavailableError:
            note = Content("Ollama is not reachable: Ollama's defaults are shown.")
        except ModelNotFoundError as exc:
            note = Content(f"{exc.server_message}: Ollama's defaults are shown.")
        except OllamaError as exc:
            note = Content(f"Could not read the model's defaults ({exc}).")
        else:
            parameters = parse_show_parameters(info.parameters)
        if self._wanted_model != model:
            return
        if note is None:
            self._use_parameters(model, parameters)
        else:
            self._model_parameters = {}
            self._show_model_note(note)
            self._schedule_recompute()

    def _use_parameters(self, model: str, parameters: dict[str, object]) -> None:
        self._model_parameters = parameters
        known = [name for name in FIELD_NAMES if name in parameters]
        if known:
            note = Content.assemble(
                "Model defaults from ",
                (model, "bold"),
                f": it sets {', '.join(known)}; the rest are Ollama's.",
            )
        else:
            note = Content.assemble(
                (model, "bold"), " sets no parameters: Ollama's defaults are shown."
            )
        self._show_model_note(note)
        self._schedule_recompute()

    def _show_model_note(self, note: Content) -> None:
        self.query_one("#options-model", Static).update(note)

    # -- keeping the notes, preview and status current ----------------------------------

    @on(OptionField.Edited)
    def _field_edited(self, event: OptionField.Edited) -> None:
        event.stop()
        self._schedule_recompute()

    def _schedule_recompute(self) -> None:
        # Filling the form edits every field; one recompute after them is enough.
        if not self._recompute_pending:
            self._recompute_pending = True
            self.call_after_refresh(self._recompute)

    def _recompute(self) -> None:
        self._recompute_pending = False
        if not self.is_mounted:
            return
        self._edited, self._problems = self._read_form()
        self._show_scope()
        self._show_notes()
        self._show_preview()
        self._show_status()

    def _show_scope(self) -> None:
        chat = self._chat
        scope_label = self.query_one("#options-scope", Static)
        if chat is None:
            scope_label.update(
                Content.assemble(
                    ("No chat yet: ", "bold"),
                    "editing the global defaults new chats start from. "
                    "Open a chat (f2) to give it its own settings.",
                )
            )
        elif self.scope == "chat":
            scope_label.update(
                Content.assemble(
                    ("This chat: ", "bold $accent"),
                    (chat.title, "bold"),
                    " · its own overrides; empty fields use the global defaults.",
                )
            )
        else:
            overrides = RequestDefaults.of_chat(chat).set_fields()
            tail = f" {chat.title!r} overrides {', '.join(overrides)}." if overrides else ""
            scope_label.update(
                Content.assemble(
                    ("Global defaults: ", "bold $accent"),
                    "what every chat starts from." + tail,
                )
            )

    def _levels(self) -> tuple[RequestDefaults, RequestDefaults | None]:
        """The global defaults and the chat's overrides as they would be once saved."""
        return levels_after_edit(self.scope, self._edited, self._defaults, self._chat)

    def _in_force(self) -> dict[str, InForce]:
        return fields_in_force(*self._levels(), self._model_parameters)

    def _show_notes(self) -> None:
        in_force = self._in_force()
        info = self._model_info()
        context_length = info.context_length if info is not None else None
        for field in self.fields:
            name = field.field_name
            value = in_force[name]
            parts: list[Content | str | tuple[str, str]] = [
                "→ ",
                (describe_in_force(name, value.value), "bold"),
            ]
            if value.source != self.scope:
                parts.append(f" from {SOURCE_LABELS[value.source]}")
            if value.source in ("chat", "global"):
                default = model_default(name, self._model_parameters)
                who = "model" if default.source == "model" else "Ollama"
                parts.append(f" · {who} default {describe_in_force(name, default.value)}")
            warning = option_warning(name, value.value, context_length)
            field.show_context(Content.assemble(*parts), warning)

    def preview(self) -> RequestSettings:
        """What the next request will carry once the form is saved (invalid fields left out).

        Like the chat screen, ``think`` is only sent to a model known to think: Ollama refuses
        it for other models.
        """
        return resolve_settings(
            *self._levels(),
            model_parameters=self._model_parameters,
            thinks=self._model_thinks(),
        ).sendable()

    def _model_info(self) -> ModelInfo | None:
        model = self._wanted_model
        return self.services.catalog.cached_info(model) if model is not None else None

    def _model_thinks(self) -> bool:
        return model_thinks(self._model_info())

    def _show_preview(self) -> None:
        title = self.query_one("#options-preview-title", Label)
        if self._chat is None:
            title.update(Content("Next request (of a new chat)"))
        else:
            title.update(Content.assemble("Next request of ", (self._chat.title, "bold")))
        box = self.query_one("#options-preview", Static)
        try:
            body = self.preview().to_json()
        except ValueError as exc:
            box.update(Content(f"The saved settings cannot be sent: {exc}"))
            return
        text = json.dumps(body, indent=2, ensure_ascii=False) if body else "{}"
        lines = [Content(text)]
        if not body:
            lines.append(Content.styled("Nothing set: the model's defaults apply.", "italic"))
        if self._edited_think_dropped():
            model = self._wanted_model or "the model"
            lines.append(
                Content.styled(f"think is left out: {model} is not known to think.", "italic")
            )
        if self._problems:
            left_out = ", ".join(self._problems)
            lines.append(Content.styled(f"Left out while invalid: {left_out}", "$text-error"))
        box.update(Content("\n").join(lines))

    def _edited_think_dropped(self) -> bool:
        think = self._in_force()["think"]
        return think.source in ("chat", "global") and not self._model_thinks()

    def _show_status(self) -> None:
        status = self.query_one("#options-status", Static)
        problems = self._problems
        dirty = bool(problems) or self._edited != self._saved
        status.set_class(bool(problems), "-error")
        status.set_class(dirty and not problems, "-unsaved")
        if problems:
            count = len(problems)
            status.update(
                Content(f"✗ {count} field{'s' if count > 1 else ''} to fix before saving")
            )
        elif dirty:
            status.update(Content("● unsaved changes · ctrl+s saves"))
        else:
            status.update(Content("✓ saved"))

    # -- scope -------------------------------------------------------------------------

    def _sync_switch(self) -> None:
        switch = self.query_one("#options-global", Switch)
        with self.prevent(Switch.Changed):
            switch.value = self.scope == "global"
        switch.disabled = self._chat is None

    @on(Switch.Changed, "#options-global")
    def _switch_flipped(self, event: Switch.Changed) -> None:
        event.stop()
        self.set_scope("global" if event.value else "chat")

    def action_toggle_scope(self) -> None:
        """Switch between the chat's overrides and the global defaults."""
        self.set_scope("chat" if self.scope == "global" else "global")

    def set_scope(self, scope: Scope) -> None:
        """Edit ``scope`` instead, unless the form has unsaved changes."""
        if scope == self.scope:
            return
        if scope == "chat" and self._chat is None:
            self.notify("No chat is open: only the global defaults can be edited.")
        elif self.dirty:
            self.notify(
                "Save (ctrl+s) or revert the unsaved changes before switching.",
                title="Unsaved changes",
                severity="warning",
            )
        else:
            self.scope = scope
            self._forced_global = False
            self._saved = self._saved_at(scope)
            self.fill_form(self._saved)
        self._sync_switch()

    # -- saving ------------------------------------------------------------------------

    def action_save(self) -> None:
        """Save the form at its scope, if every field is valid."""
        self.save()

    @work(exclusive=True, group="options-save", exit_on_error=False)
    async def save(self) -> None:
        """Write the form to the store; refused while any field is invalid."""
        edited, problems = self._read_form()
        if problems:
            self._refuse(problems)
            return
        store, scope, chat = self.services.store, self.scope, self._chat
        try:
            if scope == "chat" and chat is not None:
                saved_chat = await asyncio.to_thread(
                    partial(store.update_chat, chat.id, **edited.chat_fields())
                )
                if self._chat is not None and self._chat.id == saved_chat.id:
                    self._chat = saved_chat
            else:
                await asyncio.to_thread(edited.save, store)
                self._defaults = edited
        except NotFoundError:
            self.notify(
                "This chat no longer exists; nothing was saved.",
                title="Not saved",
                severity="error",
            )
            self.reload(reset_form=True)
            return
        except (StoreError, ValueError, TypeError) as exc:
            self.report(exc, "Not saved")
            return
        if scope == self.scope:
            self._saved = edited
        what = "the global defaults" if scope == "global" else "this chat's options"
        self.notify(f"Saved {what}.", title="Options")
        self._recompute()

    def _refuse(self, problems: dict[str, str]) -> None:
        first = next(iter(problems))
        self.notify(
            f"Not saved: {first} {problems[first]}"
            + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else "")
            + ". What was saved before is unchanged.",
            title="Fix the form first",
            severity="error",
            markup=False,
        )
        self.field(first).focus_editor()

    def action_revert(self) -> None:
        """Put the saved values back in the form."""
        self.fill_form(self._saved)
        self.notify("The form shows the saved values again.", title="Options")

    def action_reset(self) -> None:
        """Empty the form, so everything falls back to the defaults (saved with ctrl+s)."""
        self.fill_form(RequestDefaults())
        fallback = "the global defaults" if self.scope == "chat" else "the model's defaults"
        self.notify(
            f"Form cleared: every field falls back to {fallback}. ctrl+s saves.",
            title="Options",
        )

    # -- presets -----------------------------------------------------------------------

    def _set_presets(self, presets: list[Preset]) -> None:
        self._presets = presets
        select: Select[str] = self.query_one("#options-presets", Select)
        current = select.value
        select.set_options((Content(preset.name), preset.name) for preset in presets)
        if isinstance(current, str) and any(p.name == current for p in presets):
            select.value = current

    def _selected_preset(self) -> Preset | None:
        value = self.query_one("#options-presets", Select).value
        preset = next((p for p in self._presets if p.name == value), None)
        if preset is None:
            self.notify("Choose a preset first.", title="Presets", severity="warning")
        return preset

    def apply_preset(self, name: str) -> None:
        """Fill the form with preset ``name`` (saved with ctrl+s)."""
        preset = next((p for p in self._presets if p.name == name), None)
        if preset is None:
            self.notify(f"There is no preset {name!r}.", severity="warning", markup=False)
            return
        self.fill_form(preset_settings(preset))
        self.notify(
            f"Preset {name!r} is in the form; ctrl+s saves it.", title="Presets", markup=False
        )

    def action_apply_preset(self) -> None:
        """Apply the chosen preset to the form."""
        preset = self._selected_preset()
        if preset is not None:
            self.apply_preset(preset.name)

    async def _ask(self, dialog: NameDialog | ConfirmDialog) -> object:
        return await self.app.push_screen_wait(dialog)

    @work(exclusive=True, group="options-presets", exit_on_error=False)
    async def action_save_preset(self) -> None:
        """Save the form as a named preset."""
        edited, problems = self._read_form()
        if problems:
            self._refuse(problems)
            return
        name = await self._ask(
            preset_name_dialog(
                "Save the form as a preset",
                taken=[p.name for p in self._presets],
                may_replace=True,
            )
        )
        if not isinstance(name, str):
            return
        await self._change_presets(
            partial(self.services.store.save_preset, edited.as_preset(name)), select=name
        )
        self.notify(f"Saved preset {name!r}.", title="Presets", markup=False)

    @work(exclusive=True, group="options-presets", exit_on_error=False)
    async def action_rename_preset(self) -> None:
        """Give the chosen preset another name."""
        preset = self._selected_preset()
        if preset is None:
            return
        name = await self._ask(
            preset_name_dialog(
                f"Rename preset {preset.name!r}",
                initial=preset.name,
                taken=[p.name for p in self._presets if p.name != preset.name],
                may_replace=False,
            )
        )
        if not isinstance(name, str) or name == preset.name:
            return
        await self._change_presets(
            partial(self.services.store.rename_preset, preset.name, name), select=name
        )

    @work(exclusive=True, group="options-presets", exit_on_error=False)
    async def action_delete_preset(self) -> None:
        """Delete the chosen preset, after asking."""
        preset = self._selected_preset()
        if preset is None:
            return
        question = ConfirmDialog(
            f"Delete the preset {preset.name!r}?",
            "Chats that used it keep their settings; only the preset goes.",
            heading="Delete preset",
        )
        if await self._ask(question) is not True:
            return
        await self._change_presets(partial(self.services.store.delete_preset, preset.name))
        self.notify(f"Deleted preset {preset.name!r}.", title="Presets", markup=False)

    async def _change_presets(
        self, change: Callable[[], object], select: str | None = None
    ) -> None:
        store = self.services.store
        try:
            await asyncio.to_thread(change)
            presets = await asyncio.to_thread(store.list_presets)
        except (StoreError, ValueError, TypeError) as exc:
            self.report(exc, "Presets")
            return
        self._set_presets(presets)
        if select is not None:
            self.query_one("#options-presets", Select).value = select

    # -- buttons and palette -----------------------------------------------------------

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        actions: dict[str, Callable[[], object]] = {
            "options-save": self.action_save,
            "options-revert": self.action_revert,
            "options-reset": self.action_reset,
            "preset-apply": self.action_apply_preset,
            "preset-save": self.action_save_preset,
            "preset-rename": self.action_rename_preset,
            "preset-delete": self.action_delete_preset,
        }
        action = actions.get(event.button.id or "")
        if action is not None:
            event.stop()
            action()

    def palette_commands(self) -> Iterable[SystemCommand]:
        """Options commands for the command palette."""
        yield SystemCommand("Save options", "Save the options form (ctrl+s)", self.action_save)
        if self._chat is not None:
            other = "this chat's options" if self.scope == "global" else "the global defaults"
            yield SystemCommand(
                f"Edit {other}", "Switch the options form (ctrl+t)", self.action_toggle_scope
            )
        yield SystemCommand(
            "Reset options to defaults", "Empty the options form", self.action_reset
        )
        yield SystemCommand(
            "Revert options", "Discard unsaved changes to the options", self.action_revert
        )
        yield SystemCommand(
            "Save options as preset", "Save the form under a name", self.action_save_preset
        )
        for preset in self._presets:
            yield SystemCommand(
                f"Apply preset: {escape(preset.name)}",
                "Fill the options form with this preset",
                partial(self.apply_preset, preset.name),
            )
