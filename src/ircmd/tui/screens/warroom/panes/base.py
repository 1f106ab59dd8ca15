"""What a war-room pane is, and what the war room asks of it.

A pane is a container built as ``Pane(workspace, incident_id)``. The war room uses these
members when present (duck-typed, so a pane need not subclass :class:`Pane`):

* ``PANE_TITLE: str`` — the border title (the screen prefixes the pane's number key);
* ``verbs() -> Iterable[Verb]`` — ``:`` command-line verbs this pane adds (see
  ``ircmd.domain.incidents.commandline``); registered when the war room mounts;
* ``apply_filter(text: str) -> None`` — ``/`` filters the focused pane (raise
  ``DomainError`` with one line when the text is not a valid filter); ``filter_text``
  (property) is the active filter, shown in the border;
* ``focus_pane() -> None`` — put the focus on the pane's main widget (default: the
  first focusable descendant);
* ``on_store_changed(StoreChanged)`` — another console (or this one) wrote: reload.
  The screen forwards the app's poll to each pane with propagation stopped.

Bindings of the pane's widgets appear in ``?`` and the footer when it has focus; give each
an ``id=`` (``<pane>.<action>``) and hide writes in a read-only seat with ``check_action``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from textual import work
from textual.containers import Vertical
from textual.message import Message

from ircmd.domain.incidents.commandline import Verb
from ircmd.domain.incidents.incident import DomainError
from ircmd.domain.text import one_line
from ircmd.service import Workspace


class PaneFeedback(Message, bubble=False):
    """A worker's line for the pane's feedback (the war room's feedback row)."""

    def __init__(self, text: str, error: bool = False) -> None:
        super().__init__()
        self.text = text
        self.error = error


class PaneWritten(Message, bubble=False):
    """A ``run_write`` succeeded: say ``done`` and reload the pane."""

    def __init__(self, done: str) -> None:
        super().__init__()
        self.done = done


class Pane(Vertical):
    ALLOW_MAXIMIZE = True
    PANE_TITLE = "pane"

    def __init__(
        self,
        workspace: Workspace,
        incident_id: str,
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=" ".join(filter(None, ["pane", classes])))
        self.workspace = workspace
        self.incident_id = incident_id
        self.filter_text = ""

    # -- what the war room calls --------------------------------------------------------
    def verbs(self) -> Iterable[Verb]:
        return ()

    def apply_filter(self, text: str) -> None:
        if text.strip():
            raise DomainError(f"the {self.PANE_TITLE} pane has no filter")

    def focus_pane(self) -> None:
        for widget in self.query("*"):
            if widget.focusable:
                # now, not after a refresh: keys already typed must reach this pane
                self.screen.set_focus(widget)
                return

    # -- helpers for panes ----------------------------------------------------------------
    @property
    def read_only(self) -> bool:
        return bool(self.workspace.read_only)

    def now(self) -> datetime:
        return self.workspace.incidents.clock()

    def feedback(self, text: str, *, error: bool = False) -> None:
        say = getattr(self.screen, "say", None)
        if callable(say):
            say(text, error=error)
        else:
            self.notify(one_line(text), severity="error" if error else "information", markup=False)

    def refuse_read_only(self, what: str) -> bool:
        """True (and a one-line message) when this seat may not change anything."""
        if self.read_only:
            self.feedback(f"read-only seat: {what} not run", error=True)
            return True
        return False

    @work(thread=True, group="pane-write", exit_on_error=False)
    def run_write(self, fn: Callable[[], Any], done: str) -> None:
        """Run a service call off the UI thread; one line of feedback either way."""
        try:
            fn()
        except Exception as exc:  # worker: any failure is one line, never a silent stop
            message = one_line(str(exc) or type(exc).__name__)
            self.post_message(PaneFeedback(message, error=True))
            return
        self.post_message(PaneWritten(done))

    def on_pane_feedback(self, message: PaneFeedback) -> None:
        self.feedback(message.text, error=message.error)

    def on_pane_written(self, message: PaneWritten) -> None:
        self.feedback(message.done)
        reload = getattr(self, "reload", None)
        if callable(reload):
            reload()
