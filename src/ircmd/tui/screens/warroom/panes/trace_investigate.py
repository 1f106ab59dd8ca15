"""The trace pane's investigation views: ``c`` the conversation of the span under the
cursor, ``D`` marks a run and, pressed again on another trace, diffs the two side by side,
``I`` the icicle chart of the open trace (where time went), ``C`` what changed before it
broke over every loaded span.

Spans are gathered (under the pane's lock) in thread workers; the screens come back to the
pane as the Messages below and are pushed on the loop."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work
from textual.message import Message

from ircmd.domain.traces.conversation import conversation_ids_of
from ircmd.domain.traces.spans import Span

if TYPE_CHECKING:
    from ircmd.domain.traces.tracetree import TraceIndex
    from ircmd.service.workspace import Workspace


class ConversationFound(Message, bubble=False):
    def __init__(self, conversation_id: str, spans: list[Span], source: str) -> None:
        super().__init__()
        self.conversation_id = conversation_id
        self.spans = spans
        self.source = source


class RunsToDiff(Message, bubble=False):
    def __init__(self, a: list[Span], b: list[Span], source: str) -> None:
        super().__init__()
        self.a = a
        self.b = b
        self.source = source


class TraceSpansForIcicle(Message, bubble=False):
    def __init__(self, spans: list[Span]) -> None:
        super().__init__()
        self.spans = spans


class SpansForChanges(Message, bubble=False):
    def __init__(self, spans: list[Span], source: str) -> None:
        super().__init__()
        self.spans = spans
        self.source = source


class TraceInvestigateMixin:
    """Mixed into ``TracePane`` (after ``TraceActionsMixin``)."""

    workspace: Workspace | None
    incident_id: str | None
    index: TraceIndex
    current_trace: str | None
    _lock: Any
    diff_mark: str | None = None
    """The trace marked as run A by the first ``D``."""

    if TYPE_CHECKING:
        app: Any

        @property
        def current_span(self) -> Span | None: ...

        def _say(self, message: str, severity: str = "information") -> None: ...

        def _tell(self, message: str, severity: str = "information") -> None: ...

        def source_of(self, span: Span) -> str: ...

        def post_message(self, message: Message) -> bool: ...

    # -- conversation ------------------------------------------------------------------
    def action_conversation(self) -> None:
        span = self.current_span
        if span is None:
            self._say("No span under the cursor.", "warning")
            return
        self._find_conversation(span)

    @work(thread=True, exclusive=True, group="trace-conversation", exit_on_error=False)
    def _find_conversation(self, span: Span) -> None:
        with self._lock:
            ids = conversation_ids_of(self.index.spans(span.trace_id))
            conv = ids.get(span.trace_id)
            spans = list(self.index.spans()) if conv else []
        if not conv:
            self._tell(
                "This trace names no conversation (gen_ai.conversation.id or session.id).",
                "warning",
            )
            return
        self.post_message(ConversationFound(conv, spans, self.source_of(span)))

    def on_conversation_found(self, message: ConversationFound) -> None:
        from ircmd.tui.screens.investigate.conversation_view import ConversationScreen

        self.app.push_screen(
            ConversationScreen(
                self.workspace,
                self.incident_id,
                message.spans,
                message.conversation_id,
                message.source,
            )
        )

    # -- where time went ---------------------------------------------------------------
    def action_icicle(self) -> None:
        trace = self.current_trace
        if trace is None:
            self._say("No trace open.", "warning")
            return
        self._gather_icicle(trace)

    @work(thread=True, exclusive=True, group="trace-icicle", exit_on_error=False)
    def _gather_icicle(self, trace: str) -> None:
        with self._lock:
            spans = list(self.index.spans(trace))
        if spans:
            self.post_message(TraceSpansForIcicle(spans))

    def on_trace_spans_for_icicle(self, message: TraceSpansForIcicle) -> None:
        from ircmd.tui.screens.investigate.icicle_view import IcicleScreen

        self.app.push_screen(IcicleScreen(message.spans))

    # -- what changed before it broke ---------------------------------------------------
    def action_changes(self) -> None:
        self._gather_changes()

    @work(thread=True, exclusive=True, group="trace-changes", exit_on_error=False)
    def _gather_changes(self) -> None:
        with self._lock:
            spans = list(self.index.spans())
        if not spans:
            self._tell("No spans loaded.", "warning")
            return
        names = [s.name for s in getattr(self, "sources", [])]
        self.post_message(SpansForChanges(spans, ", ".join(names) or "trace explorer"))

    def on_spans_for_changes(self, message: SpansForChanges) -> None:
        from ircmd.tui.screens.investigate.changes_view import ChangesScreen

        self.app.push_screen(
            ChangesScreen(self.workspace, self.incident_id, message.spans, message.source)
        )

    # -- diff of two runs ----------------------------------------------------------------
    def action_diff(self) -> None:
        trace = self.current_trace
        if trace is None:
            self._say("No trace open.", "warning")
            return
        if self.diff_mark is None or self.diff_mark not in self.index:
            self.diff_mark = trace
            self._say(f"Run A: trace {trace[:12]}. Open another trace and press D to diff.")
            return
        if self.diff_mark == trace:
            self.diff_mark = None
            self._say("Run A unmarked.")
            return
        a, self.diff_mark = self.diff_mark, None
        self._gather_runs(a, trace)

    @work(thread=True, exclusive=True, group="trace-diff", exit_on_error=False)
    def _gather_runs(self, a: str, b: str) -> None:
        with self._lock:
            a_spans = list(self.index.spans(a))
            b_spans = list(self.index.spans(b))
        origins = dict.fromkeys(s.origin for s in a_spans + b_spans if s.origin)
        source = ", ".join(origins) or (self.source_of(b_spans[0]) if b_spans else "")
        self.post_message(RunsToDiff(a_spans, b_spans, source))

    def on_runs_to_diff(self, message: RunsToDiff) -> None:
        from ircmd.tui.screens.investigate.diff_view import DiffScreen

        self.app.push_screen(
            DiffScreen(self.workspace, self.incident_id, message.a, message.b, message.source)
        )
