"""The update screen: the grounded draft for one audience, editable before sending.

``ctrl+s`` sends it (a ``communication`` event with the audience, the text and the draft's
source hashes), ``ctrl+y`` copies it as Markdown and ``ctrl+t`` as plain text (OSC 52,
through Textual), ``esc`` closes without sending. The draft is built in a worker."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Label, TextArea

from ircmd.domain.comms.draft import Draft
from ircmd.domain.text import count, one_line, sanitize
from ircmd.service.comms.updates import UpdateService
from ircmd.service.workspace import Workspace


class UpdateScreen(ModalScreen[bool]):
    BINDINGS = [
        Binding("ctrl+s", "send", "Send", id="update.send", priority=True),
        Binding(
            "ctrl+y", "copy('markdown')", "Copy Markdown", id="update.copy_markdown", priority=True
        ),
        Binding("ctrl+t", "copy('plain')", "Copy text", id="update.copy_plain", priority=True),
        Binding("escape", "close", "Close", id="update.close"),
    ]

    @dataclass
    class Drafted(Message):
        draft: Draft

    @dataclass
    class Said(Message):
        text: str
        sent: bool = False

    def __init__(self, workspace: Workspace, incident_id: str, audience: str) -> None:
        super().__init__()
        self.workspace = workspace
        self.incident_id = incident_id
        self.audience = audience
        self.service = UpdateService(workspace.incidents)
        self.draft: Draft | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt update-dialog"):
            yield Label(
                f"Update for {self.audience} on {self.incident_id}",
                classes="prompt-title",
                markup=False,
            )
            yield TextArea("", id="update-text", soft_wrap=True)
            yield Label("building the draft…", id="update-status", markup=False)
            yield Label(
                "ctrl+s send · ctrl+y copy Markdown · ctrl+t copy text · esc close",
                id="update-keys",
                classes="prompt-hint",
                markup=False,
            )

    def on_mount(self) -> None:
        self.build()

    @work(thread=True, exclusive=True, group="update-draft", exit_on_error=False)
    def build(self) -> None:
        try:
            self.post_message(self.Drafted(self.service.draft(self.incident_id, self.audience)))
        except Exception as exc:  # worker: any failure is one line, never a silent stop
            self.post_message(self.Said(one_line(str(exc) or type(exc).__name__)))

    @work(thread=True, exclusive=True, group="update-send", exit_on_error=False)
    def send(self, text: str, draft: Draft) -> None:
        try:
            ev = self.service.send(self.incident_id, self.audience, text, draft=draft)
            self.post_message(
                self.Said(f"update to {self.audience} recorded (event {ev.seq})", True)
            )
        except Exception as exc:  # worker: any failure is one line, never a silent stop
            self.post_message(self.Said(one_line(str(exc) or type(exc).__name__)))

    def on_update_screen_drafted(self, message: Drafted) -> None:
        self.draft = message.draft
        area = self.query_one(TextArea)
        area.load_text(sanitize(message.draft.text, keep_newlines=True))
        area.focus()
        n = len(message.draft.sources)
        self._status(f"{count(len(message.draft.sentences), 'sentence')} from {count(n, 'event')}")

    def on_update_screen_said(self, message: Said) -> None:
        if message.sent:
            self.dismiss(True)
            self.app.notify(message.text, markup=False)
            return
        self._status(message.text)

    def _status(self, text: str) -> None:
        self.query_one("#update-status", Label).update(Text(text))

    def action_send(self) -> None:
        if self.draft is None:
            return
        if self.workspace.read_only:
            self._status("read-only seat: nothing is sent")
            return
        self.send(self.query_one(TextArea).text, self.draft)

    def action_copy(self, form: str) -> None:
        text = self.query_one(TextArea).text
        if form == "markdown":
            lines = [line for line in text.split("\n") if line.strip()]
            text = f"## Update for {self.audience}\n\n" + "\n".join(f"- {x}" for x in lines)
        self.app.copy_to_clipboard(text)
        self._status(f"copied as {form} text")

    def action_close(self) -> None:
        self.dismiss(False)
