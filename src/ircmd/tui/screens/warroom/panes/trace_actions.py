"""The trace pane's incident actions: pin evidence (``p``), find similar (``f``), records to
correct (``x``). Computation and writes run in worker threads through the domain and
service layers; results come back to the pane as the Messages below (then dialogs and
one-line notifications)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work
from textual.message import Message

from ircmd.domain.text import one_line
from ircmd.domain.traces.blast import (
    SimilarBy,
    SimilarResult,
    distinct_argument_values,
    find_similar,
    query_from_span,
    suggest_dimensions,
)
from ircmd.domain.traces.cost import Pricer, pricer_from_config
from ircmd.domain.traces.spans import Span
from ircmd.service.traces.service import TraceService
from ircmd.tui.screens.dialogs.prompt import TextPrompt
from ircmd.tui.screens.output_paths import absolute, output_dir
from ircmd.tui.screens.warroom.panes.trace_dialogs import (
    ChecklistChange,
    ChoiceDialog,
    RecordsDialog,
    SimilarDialog,
)
from ircmd.tui.widgets.traces.checklist import ChecklistItem

if TYPE_CHECKING:
    from ircmd.domain.traces.tracetree import TraceIndex
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


class TraceNotice(Message, bubble=False):
    """A worker's one-line outcome, shown as a notification."""

    def __init__(self, text: str, severity: str = "information") -> None:
        super().__init__()
        self.text = text
        self.severity = severity


class SimilarFound(Message, bubble=False):
    """The blast radius of ``span`` (computed by a worker), to show in its dialog."""

    def __init__(
        self, span: Span, result: SimilarResult, cost: tuple[float, int] | None = None
    ) -> None:
        super().__init__()
        self.span = span
        self.result = result
        self.cost = cost


class RecordsFound(Message, bubble=False):
    """Records to correct (and the checklist saved for them, if any), to show."""

    def __init__(
        self, tool: str, argument: str, items: list[ChecklistItem], checklist_id: str | None
    ) -> None:
        super().__init__()
        self.tool = tool
        self.argument = argument
        self.items = items
        self.checklist_id = checklist_id


class ChecklistTicked(Message, bubble=False):
    """A tick was saved: the checklist's items as stored now, for its open dialog."""

    def __init__(self, dialog: RecordsDialog, items: list[ChecklistItem]) -> None:
        super().__init__()
        self.dialog = dialog
        self.items = items


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

        def post_message(self, message: Message) -> bool: ...

    # -- availability ------------------------------------------------------------------
    @property
    def read_only(self) -> bool:
        return bool(self.workspace is None or self.workspace.read_only)

    @property
    def conversation_keys(self) -> list[str]:
        """``[traces] conversation_attributes``: an app's own conversation id attributes."""
        ws = self.workspace
        return list(ws.config.traces.conversation_attributes) if ws is not None else []

    def pricer(self) -> Pricer:
        """genai-prices plus the config's ``[prices]`` (a new one: cheap, and thread-safe)."""
        ws = self.workspace
        prices = {k: v.model_dump() for k, v in ws.config.prices.items()} if ws else {}
        return pricer_from_config(prices)

    def check_trace_action(self, action: str) -> bool | None:
        if action in INCIDENT_ACTIONS and self.read_only:
            return None
        return True

    def _say(self, message: str, severity: str = "information") -> None:
        self.app.notify(one_line(message, 400), severity=severity, markup=False, timeout=6)

    def _tell(self, message: str, severity: str = "information") -> None:
        """From a worker thread: the notice goes to the pane as a Message."""
        self.post_message(TraceNotice(message, severity))

    def on_trace_notice(self, message: TraceNotice) -> None:
        self._say(message.text, message.severity)

    def on_similar_found(self, message: SimilarFound) -> None:
        self._show_similar(message.span, message.result, message.cost)

    def on_records_found(self, message: RecordsFound) -> None:
        self._show_records(message.tool, message.argument, message.items, message.checklist_id)

    def on_checklist_ticked(self, message: ChecklistTicked) -> None:
        message.dialog.set_items(message.items)

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

    @property
    def trace_service(self) -> TraceService:
        assert self.workspace is not None
        return TraceService.for_workspace(self.workspace)

    def source_of(self, span: Span) -> str:
        """Where the span came from (file path, receiver name...), for the evidence record."""
        if span.origin:
            return span.origin
        names = [s.name for s in getattr(self, "sources", [])]
        return ", ".join(names) or "trace explorer"

    @work(thread=True, group="trace-pin", exit_on_error=False)
    def _pin(self, span: Span) -> None:
        assert self.incident_id is not None
        try:
            doc = self.trace_service.pin_span(self.incident_id, span, self.source_of(span))
        except Exception as exc:  # worker: any failure is one line, never a silent stop
            self._tell(f"Pin failed: {exc}", "error")
            return
        self._tell(
            f"Pinned {doc.get('id', '')} (span {span.span_id}, sha256 "
            f"{str(doc.get('sha256', ''))[:12]}…) to {self.incident_id}",
        )

    # -- find similar ------------------------------------------------------------------
    def action_find_similar(self, by: str = "") -> None:
        """Blast radius of the span under the cursor; ``by`` (tool, prompt, source,
        document, model) skips the question (the ``:find BY`` command-line verb)."""
        span = self.current_span
        if span is None:
            self._say("No span under the cursor.", "warning")
            return
        dims = suggest_dimensions(span)
        if not dims:
            self._say("This span has no tool, prompt, retrieval source or model to compare.")
            return
        if by:
            if by not in dims:
                offered = ", ".join(dims)
                self._say(f"Cannot find similar by {by!r} here (this span offers: {offered}).")
                return
            self._similar(span, by)
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
            self._tell(str(exc), "warning")
            return
        with self._lock:
            spans = list(self.index.spans())
        result = find_similar(spans, query, self.conversation_keys)
        matched = set(result.trace_ids)
        cost = self.pricer().breakdown(s for s in spans if s.trace_id in matched)
        self.post_message(SimilarFound(span, result, (cost.total_usd, len(cost.unpriced))))

    def _show_similar(
        self, span: Span, result: SimilarResult, cost: tuple[float, int] | None = None
    ) -> None:
        def done(what: str | None) -> None:
            if what == "record" and self._need_incident():
                self._record_similar(result)
            elif what == "records":
                self.action_records()

        dialog = SimilarDialog(
            result,
            can_record=not self.read_only and bool(self.incident_id),
            is_tool=bool(span.tool_name),
            cost=cost,
        )
        self.app.push_screen(dialog, done)

    @work(thread=True, group="trace-record", exit_on_error=False)
    def _record_similar(self, result: SimilarResult) -> None:
        assert self.incident_id is not None
        try:
            self.trace_service.record_finding(self.incident_id, result)
        except Exception as exc:  # worker: any failure is one line, never a silent stop
            self._tell(f"Recording failed: {exc}", "error")
            return
        self._tell(f"Blast radius recorded on {self.incident_id}: {result.scope}")

    # -- records to correct -------------------------------------------------------------
    def action_records(self, argument: str = "") -> None:
        """Records to correct for the tool call under the cursor; ``argument`` skips the
        question (the ``:records ARG`` command-line verb)."""
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
        source = self.source_of(span)
        if argument:
            if argument not in names:
                self._say(f"{tool} has no argument {argument!r} (it has: {', '.join(names)}).")
                return
            self._records(tool, argument, source)
            return

        def chosen(arg: str | None) -> None:
            if arg:
                self._records(tool, arg, source)

        self.app.push_screen(
            ChoiceDialog(f"Which argument of {one_line(tool, 60)}?", [(n, n) for n in names]),
            chosen,
        )

    @work(thread=True, group="trace-records", exit_on_error=False)
    def _records(self, tool: str, argument: str, source: str) -> None:
        with self._lock:
            spans = list(self.index.spans())
        values = distinct_argument_values(spans, tool, argument)
        checklist_id: str | None = None
        if self.incident_id and not self.read_only:
            try:
                doc = self.trace_service.create_checklist(
                    self.incident_id, tool, argument, values, source=source
                )
            except Exception as exc:  # worker: any failure is one line, never a silent stop
                self._tell(f"Checklist not saved: {exc}", "error")
            else:
                checklist_id = str(doc["id"])
                self._tell(f"Records to correct {checklist_id} saved on {self.incident_id}")
        items = [ChecklistItem(v.value, v.count, list(v.trace_ids)) for v in values]
        self.post_message(RecordsFound(tool, argument, items, checklist_id))

    def _show_records(
        self, tool: str, argument: str, items: list[ChecklistItem], checklist_id: str | None
    ) -> None:
        title = f"Records to correct: {one_line(tool, 40)}({one_line(argument, 40)})"
        if checklist_id:
            title += f"  {checklist_id} on {self.incident_id}"
        else:
            title += "  (not saved: no incident)"

        def change(ch: ChecklistChange) -> None:
            if checklist_id is None:
                self._say("Open the trace from an incident to tick and export records.", "warning")
            elif ch.kind == "tick":
                self._tick_record(dialog, checklist_id, ch.value, ch.done)
            elif ch.kind == "export":
                self._ask_export(checklist_id)

        dialog = RecordsDialog(
            title, items, on_change=change, read_only=self.read_only or checklist_id is None
        )
        self.app.push_screen(dialog)

    @work(thread=True, group="trace-tick", exit_on_error=False)
    def _tick_record(
        self, dialog: RecordsDialog, checklist_id: str, value: str, done: bool
    ) -> None:
        assert self.incident_id is not None
        try:
            doc = self.trace_service.tick(self.incident_id, checklist_id, value, done)
        except Exception as exc:  # worker: any failure is one line, never a silent stop
            self._tell(f"Tick not saved: {exc}", "error")
            return
        self.post_message(ChecklistTicked(dialog, checklist_items(doc)))

    def _ask_export(self, checklist_id: str) -> None:
        name = f"{self.incident_id}-{checklist_id}.csv"
        default = str(output_dir(self.workspace) / name) if self.workspace else name

        def chosen(path: str | None) -> None:
            if path:
                self._export(checklist_id, path)

        self.app.push_screen(TextPrompt("Export the checklist as CSV to", value=default), chosen)

    @work(thread=True, group="trace-export", exit_on_error=False)
    def _export(self, checklist_id: str, path: str) -> None:
        assert self.incident_id is not None
        try:
            text = self.trace_service.checklist_csv(self.incident_id, checklist_id)
            target = absolute(path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        except Exception as exc:  # worker: any failure is one line, never a silent stop
            self._tell(f"Export failed: {exc}", "error")
            return
        self._tell(f"Wrote {target}")


def checklist_items(doc: dict[str, Any]) -> list[ChecklistItem]:
    """The stored checklist's items, as the dialog shows them."""
    return [
        ChecklistItem(
            value=str(i.get("value", "")),
            count=int(i.get("count", 0) or 0),
            trace_ids=list(i.get("trace_ids", [])),
            done=bool(i.get("done")),
            done_by=str(i.get("done_by") or ""),
        )
        for i in doc.get("items", [])
    ]
