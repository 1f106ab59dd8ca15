"""The trace pane's investigation views: ``c`` the conversation of the span under the
cursor, ``D`` marks a run and, pressed again on another trace, diffs the two side by side,
``I`` the icicle chart of the open trace (where time went), ``C`` what changed before it
broke over every loaded span.

Spans are gathered (under the pane's lock) in thread workers; the screens come back to the
pane as the Messages below and are pushed on the loop."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from textual import work
from textual.message import Message

from ircmd.domain.traces.conversation import conversation_ids_of
from ircmd.domain.traces.spans import Span

if TYPE_CHECKING:
    from ircmd.domain.incidents.commandline import Command, Verb
    from ircmd.domain.traces.tracetree import TraceIndex, TraceSummary
    from ircmd.service.workspace import Workspace


class ConversationFound(Message, bubble=False):
    def __init__(
        self, conversation_id: str, spans: list[Span], source: str, keys: Sequence[str] = ()
    ) -> None:
        super().__init__()
        self.conversation_id = conversation_id
        self.spans = spans
        self.source = source
        self.keys = tuple(keys)


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

    PANE_TITLE = "traces"
    """Where ``?`` files the pane's keys ("traces · investigate"), here and full screen."""

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

        @property
        def conversation_keys(self) -> list[str]: ...

        def post_message(self, message: Message) -> bool: ...

    # -- the ``:`` verbs (the same views as the keys) ------------------------------------
    def verbs(self) -> Iterable[Verb]:
        from ircmd.domain.incidents.commandline import Param, Verb

        def traces() -> list[str]:
            return [s.trace_id for s in getattr(self, "summaries", [])]

        def trace(name: str, help: str) -> Param:
            return Param(name, required=False, choices=traces, help=help)

        return (
            Verb(
                "conversation",
                "the conversation as turns: of the span under the cursor, or of TRACE (key c)",
                params=(trace("trace", "a trace of the conversation"),),
                aliases=("conv", "turns"),
                mutates=False,
                handler=self._verb_conversation,
                source="traces",
            ),
            Verb(
                "diff",
                "diff two runs: TRACE_A TRACE_B, the open trace against TRACE_B, "
                "or mark the open trace as run A (key D)",
                params=(trace("trace_a", "run A (or B alone)"), trace("trace_b", "run B")),
                mutates=False,
                handler=self._verb_diff,
                source="traces",
            ),
            Verb(
                "changes",
                "what changed before it broke: versions and change points (key C)",
                aliases=("changed",),
                mutates=False,
                handler=lambda _cmd: self.action_changes(),
                source="traces",
            ),
            Verb(
                "icicle",
                "where time went in the open trace, or in TRACE (key I)",
                params=(trace("trace", "the trace"),),
                aliases=("flame",),
                mutates=False,
                handler=self._verb_icicle,
                source="traces",
            ),
        )

    def resolve_trace(self, word: str) -> str:
        """A loaded trace by id or unique id prefix; a DomainError names what is wrong."""
        from ircmd.domain.incidents.incident import DomainError

        word = word.strip().lower()
        if word in self.index:
            return word
        loaded: list[TraceSummary] = getattr(self, "summaries", [])
        hits = [s.trace_id for s in loaded if s.trace_id.startswith(word)]
        if len(hits) == 1:
            return hits[0]
        if hits:
            raise DomainError(f"trace {word!r} is ambiguous: {len(hits)} loaded traces start so")
        raise DomainError(f"trace {word!r} is not loaded in the traces pane")

    def _verb_conversation(self, cmd: Command) -> str | None:
        word = cmd.arg("trace")
        if not word:
            self.action_conversation()
            return None
        trace = self.resolve_trace(word)
        self._find_conversation(trace, "")
        return f"conversation of trace {trace[:12]}"

    def _verb_diff(self, cmd: Command) -> str | None:
        a, b = cmd.arg("trace_a"), cmd.arg("trace_b")
        if not a:
            self.action_diff()
            return None
        if not b:
            if self.current_trace is None:
                from ircmd.domain.incidents.incident import DomainError

                raise DomainError("no trace open: give two traces (diff TRACE_A TRACE_B)")
            a, b = self.current_trace, self.resolve_trace(a)
        else:
            a, b = self.resolve_trace(a), self.resolve_trace(b)
        self._gather_runs(a, b)
        return f"diff of {a[:12]} and {b[:12]}"

    def _verb_icicle(self, cmd: Command) -> str | None:
        word = cmd.arg("trace")
        if not word:
            self.action_icicle()
            return None
        trace = self.resolve_trace(word)
        self._gather_icicle(trace)
        return f"where time went in {trace[:12]}"

    # -- conversation ------------------------------------------------------------------
    def action_conversation(self) -> None:
        span = self.current_span
        if span is None:
            self._say("No span under the cursor.", "warning")
            return
        self._find_conversation(span.trace_id, self.source_of(span))

    @work(thread=True, exclusive=True, group="trace-conversation", exit_on_error=False)
    def _find_conversation(self, trace_id: str, source: str) -> None:
        keys = self.conversation_keys
        with self._lock:
            mine = list(self.index.spans(trace_id))
            ids = conversation_ids_of(mine, keys)
            conv = ids.get(trace_id)
            spans = list(self.index.spans()) if conv else []
        if not conv:
            named = ", ".join(["gen_ai.conversation.id", "session.id", *keys])
            self._tell(f"This trace names no conversation ({named}).", "warning")
            return
        if not source and mine:
            source = self.source_of(mine[0])
        self.post_message(ConversationFound(conv, spans, source, keys))

    def on_conversation_found(self, message: ConversationFound) -> None:
        from ircmd.tui.screens.investigate.conversation_view import ConversationScreen

        self.app.push_screen(
            ConversationScreen(
                self.workspace,
                self.incident_id,
                message.spans,
                message.conversation_id,
                message.source,
                extra_keys=message.keys,
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
