"""Every modal dialog of the app, on one :class:`Dialog` frame."""

from tui_app.screens.dialogs.base import Dialog
from tui_app.screens.dialogs.chat import (
    AttachImageDialog,
    CodeBlockDialog,
    FormatChoice,
    FormatDialog,
    SystemPromptDialog,
    ToolsDialog,
)
from tui_app.screens.dialogs.confirm import ConfirmDialog
from tui_app.screens.dialogs.create_file import CreateFromFileDialog
from tui_app.screens.dialogs.help import HelpDialog
from tui_app.screens.dialogs.history import ExportChatDialog, SearchChatsDialog
from tui_app.screens.dialogs.hosts import HostChoiceDialog, host_label
from tui_app.screens.dialogs.models import (
    CreateModelDialog,
    CreateRequest,
    ModelPickerDialog,
    copy_dialog,
    pull_dialog,
)
from tui_app.screens.dialogs.name import NameCheck, NameDialog
from tui_app.screens.dialogs.workbench import SaveExchangeDialog

__all__ = [
    "AttachImageDialog",
    "CodeBlockDialog",
    "ConfirmDialog",
    "CreateFromFileDialog",
    "CreateModelDialog",
    "CreateRequest",
    "Dialog",
    "ExportChatDialog",
    "FormatChoice",
    "FormatDialog",
    "HelpDialog",
    "HostChoiceDialog",
    "ModelPickerDialog",
    "NameCheck",
    "NameDialog",
    "SaveExchangeDialog",
    "SearchChatsDialog",
    "SystemPromptDialog",
    "ToolsDialog",
    "copy_dialog",
    "host_label",
    "pull_dialog",
]
