"""The trace pane's incident actions: pin evidence (``p``), find similar (``f``), records to
correct (``x``). Computation and writes run in worker threads through the domain and
service layers; results come back as dialogs and one-line notifications."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work

from ircmd.domain.blast import (
    SimilarBy,
    SimilarResult,
    distinct_argument_values,
    find_similar,
    query_from_span,
    suggest_dimensions,
)
from ircmd.domain.spans import Span
from ircmd.domain.text import one_line
from ircmd.screens.trace_dialogs import ChecklistChange, ChoiceDialog, RecordsDialog, SimilarDialog
from ircmd.widgets.checklist import ChecklistItem

if TYPE_CHECKING:
    from ircmd.domain.tracetree import TraceIndex
    from ircmd.service.workspace import Workspace

DIMENSION_LABEL = {
    "tool": "same tool",
    "prompt": "same prompt name/version",
    "source": "same retrieval source",
    "document": "same retrieved document",
    "model": "same model",
}

INCIDENT_ACTIONS = ("pin",)
"""Actions that write to the incident (hidden in read-only mode or without an incident)."""


class TraceActionsMixin:
    """Mixed into ``TracePane``; relies on its ``workspace``, ``incident_id``, ``index``,
    ``_lock`` and ``current_span``."""

    workspace: Workspace | None
    incident_id: str | None
    index: TraceIndex
    _lock: Any

    if TYPE_CHECKING:
        app: Any

        @property
        def current_span(self) -> Span | None: ...

        def notify(self, message: str, **kw: Any) -> None: ...

    # -- availability ------------------------------------------------------------------
    @property
    def read_only(self) -> bool:
        return bool(self.workspace is None or self.workspace.read_only)

    def check_trace_action(self, action: str) -> bool | None:
        if action in INCIDENT_ACTIONS and self.read_only:
            return None
        return True

    def _say(self, message: str, severity: str = "information") -> None:
        self.app.notify(one_line(message, 400), severity=severity, markup=False, timeout=6)

    def _need_incident(self) -> bool:
        if self.read_only:
            self._say("Read-only: nothing is written to the incident.", "warning")
            return False
        if not self.incident_id:
            self._say(
                "No incident: open the trace from an incident's war room, "
                "or run `ircmd trace view --incident ID`.",
                "warning",
            )
            return False
        return True

    # -- pin -----------------------------------------------------------------------------
    def action_pin(self) -> None:
        span = self.current_span
        if span is None:
            self._say("No span under the cursor.", "warning")
            return
        if not self._need_incident():
            return
        self._pin(span)

    @work(thread=True, group="trace-pin", exit_on_error=False)
    def _pin(self, span: Span) -> None:
        from ircmd.service.traces import pin_span

        assert self.workspace is not None and self.incident_id is not None
        try:
            item = pin_span(self.workspace, self.incident_id, span, source=self.source_name)
        except Exception as exc:
            self.app.call_from_thread(self._say, f"Pin failed: {exc}", "error")
            return
        digest = str(getattr(item, "sha256", ""))[:12]
        self.app.call_from_thread(
            self._say, f"Pinned span {span.span_id} to {self.incident_id} (sha256 {digest}…)"
        )

    @property
    def source_name(self) -> str:
        return "files"

    # -- find similar ------------------------------------------------------------------
    def action_find_similar(self) -> None:
        span = self.current_span
        if span is None:
            self._say("No span under the cursor.", "warning")
            return
        dims = suggest_dimensions(span)
        if not dims:
            self._say("This span has no tool, prompt, retrieval source or model to compare.")
            return
        if len(dims) == 1:
            self._similar(span, dims[0])
            return

        def chosen(by: str | None) -> None:
            if by:
                self._similar(span, by)

        choices = [(DIMENSION_LABEL.get(d, d), d) for d in dims]
        self.app.push_screen(ChoiceDialog("Find spans with the…", choices), chosen)

    @work(thread=True, exclusive=True, group="trace-similar", exit_on_error=False)
    def _similar(self, span: Span, by: SimilarBy) -> None:
        try:
            query = query_from_span(span, by)
        except ValueError as exc:
            self.app.call_from_thread(self._say, str(exc), "warning")
            return
        with self._lock:
            spans = list(self.index.spans())
        result = find_similar(spans, query)
        self.app.call_from_thread(self._show_similar, span, result)

    def _show_similar(self, span: Span, result: SimilarResult) -> None:
        def done(what: str | None) -> None:
            if what == "record" and self._need_incident():
                self._record_similar(result)
            elif what == "records":
                self.action_records()

        dialog = SimilarDialog(
            result,
            can_record=not self.read_only and bool(self.incident_id),
            is_tool=bool(span.tool_name),
        )
        self.app.push_screen(dialog, done)

    @work(thread=True, group="trace-record", exit_on_error=False)
    def _record_similar(self, result: SimilarResult) -> None:
        from ircmd.service.traces import record_blast_radius

        assert self.workspace is not None and self.incident_id is not None
        try:
            record_blast_radius(self.workspace, self.incident_id, result)
        except Exception as exc:
            self.app.call_from_thread(self._say, f"Recording failed: {exc}", "error")
            return
        self.app.call_from_thread(
            self._say, f"Blast radius recorded on {self.incident_id}: {result.scope}"
        )

    # -- records to correct -------------------------------------------------------------
    def action_records(self) -> None:
        span = self.current_span
        if span is None or not span.tool_name:
            self._say("Records to correct start from a tool call span.", "warning")
            return
        args = span.tool_arguments
        names = [str(k) for k in args] if isinstance(args, dict) else []
        if not names:
            self._say("This tool call has no named arguments.", "warning")
            return
        tool = span.tool_name

        def chosen(arg: str | None) -> None:
            if arg:
                self._records(tool, arg)

        self.app.push_screen(
            ChoiceDialog(f"Which argument of {one_line(tool, 60)}?", [(n, n) for n in names]),
            chosen,
        )

    @work(thread=True, group="trace-records", exit_on_error=False)
    def _records(self, tool: str, argument: str) -> None:
        with self._lock:
            spans = list(self.index.spans())
        values = distinct_argument_values(spans, tool, argument)
        items = [ChecklistItem(v.value, v.count, list(v.trace_ids)) for v in values]
        self.app.call_from_thread(self._show_records, tool, argument, items)

    def _show_records(self, tool: str, argument: str, items: list[ChecklistItem]) -> None:
        title = f"Records to correct: {one_line(tool, 40)}({one_line(argument, 40)})"

        def change(ch: ChecklistChange) -> None:
            if ch.kind == "tick":
                for item in items:
                    if item.value == ch.value:
                        item.done = ch.done
                dialog.set_items(items)
            elif ch.kind == "export":
                self._say("CSV export needs an incident checklist.", "warning")

        dialog = RecordsDialog(title, items, on_change=change, read_only=self.read_only)
        self.app.push_screen(dialog)
