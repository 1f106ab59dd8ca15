"""The ``:`` / ``/`` input line: tab completion and history over a pure interpreter.

The widget is handed a ``complete(line) -> candidates`` function and a
:class:`~ircmd.domain.incidents.commandline.History`; it posts :class:`CommandLine.Run` on enter and
:class:`CommandLine.Closed` on escape. In filter mode (``/``) it posts
:class:`CommandLine.FilterChanged` on every keystroke instead of completing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from textual import on
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input

from ircmd.domain.incidents.commandline import History, common_prefix

Mode = Literal["command", "filter"]


class CommandLine(Input):
    BINDINGS = [
        Binding("tab", "complete", "Complete", show=False, id="cmdline.complete"),
        Binding("up", "history(-1)", "Older", show=False, id="cmdline.older"),
        Binding("down", "history(1)", "Newer", show=False, id="cmdline.newer"),
        Binding("escape", "close", "Close", show=False, id="cmdline.close"),
    ]

    @dataclass
    class Run(Message):
        mode: Mode
        line: str

    @dataclass
    class Closed(Message):
        mode: Mode

    @dataclass
    class FilterChanged(Message):
        text: str

    @dataclass
    class Candidates(Message):
        candidates: list[str]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, select_on_focus=False)
        self.mode: Mode = "command"
        self.history = History()
        self.filter_history = History()
        self.completer: Callable[[str], list[str]] = lambda _line: []
        self._cycle: list[str] = []
        self._cycle_pos = -1

    def open(self, mode: Mode, value: str = "") -> None:
        self.mode = mode
        self.placeholder = (
            "command (tab completes, ↑ history, esc closes)"
            if mode == "command"
            else "filter: words, kind:decision, @author, -exclude"
        )
        self.value = value
        self.cursor_position = len(value)
        self._cycle = []
        # Focus now, not after a refresh: keys typed fast after ":" (or pasted) must land
        # in the line, not trigger the screen's single-key bindings.
        self.screen.set_focus(self)

    def action_complete(self) -> None:
        if self.mode != "command":
            return
        if self._cycle and self.value in self._cycle:
            self._cycle_pos = (self._cycle_pos + 1) % len(self._cycle)
            self._set(self._cycle[self._cycle_pos])
            return
        candidates = self.completer(self.value)
        self.post_message(self.Candidates(candidates))
        if not candidates:
            return
        if len(candidates) == 1:
            self._set(candidates[0])
            return
        prefix = common_prefix(candidates)
        if len(prefix) > len(self.value):
            self._set(prefix)
        else:
            self._cycle, self._cycle_pos = candidates, 0
            self._set(candidates[0])

    def _set(self, value: str) -> None:
        self.value = value
        self.cursor_position = len(value)

    def action_history(self, direction: int) -> None:
        history = self.history if self.mode == "command" else self.filter_history
        self._set(history.older(self.value) if direction < 0 else history.newer())

    def action_close(self) -> None:
        self.post_message(self.Closed(self.mode))

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._cycle and self.value not in self._cycle:
            self._cycle = []
        if self.mode == "filter":
            self.post_message(self.FilterChanged(self.value))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        line = self.value
        (self.history if self.mode == "command" else self.filter_history).add(line)
        self.post_message(self.Run(self.mode, line))
