"""The trace explorer pane: trace list, span tree, detail, search, live spans, evidence.

Used twice: mounted in the war room as ``TracePane(workspace, incident_id)`` and full
screen by ``ircmd trace view`` (``TraceScreen``). It owns the workers: files are parsed
and trees built in threads; spans from any producer thread arrive through
:meth:`TracePane.feed` and are folded in on a tick, only when something arrived, so a
flood costs at most ``1 / TICK_SECONDS`` redraws a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Static

from ircmd.backends.protocols import TraceSource
from ircmd.domain.text import count, one_line
from ircmd.domain.traces.spans import Span
from ircmd.domain.traces.tracetree import TraceIndex, TraceSummary
from ircmd.service.backend_loop import BackendLoop
from ircmd.service.traces.service import build_sources
from ircmd.service.workspace import Workspace
from ircmd.tui.messages import FirstData
from ircmd.tui.process_tuning import freeze_long_lived
from ircmd.tui.screens.warroom.panes.trace_actions import TraceActionsMixin
from ircmd.tui.screens.warroom.panes.trace_investigate import TraceInvestigateMixin
from ircmd.tui.screens.warroom.panes.trace_state import LiveFeed, TraceView, tree_model
from ircmd.tui.widgets.traces.span_detail import SpanDetail
from ircmd.tui.widgets.traces.span_tree import SpanTree, TreeState
from ircmd.tui.widgets.traces.trace_list import TraceList, filter_trace_list

LIST_LIMIT = 500


class TracesIngested(Message, bubble=False):
    """New spans folded in by a worker: the list, the trace to show and its view (None
    when the open trace did not change). ``from_tick`` ends the tick's ingest."""

    def __init__(
        self,
        summaries: list[TraceSummary],
        current: str | None,
        view: TraceView | None,
        from_tick: bool,
    ) -> None:
        super().__init__()
        self.summaries = summaries
        self.current = current
        self.view = view
        self.from_tick = from_tick


class SourcesLoaded(Message, bubble=False):
    """Every live source's first load ended: problem lines, each with its source's label."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__()
        self.problems = problems


class SourcesPolled(Message, bubble=False):
    """One poll of the live sources ended: problem lines met, each with its source's label;
    ``arrived``: whether any spans came."""

    def __init__(self, problems: list[tuple[str, str]], arrived: bool = False) -> None:
        super().__init__()
        self.problems = problems
        self.arrived = arrived


class TraceOpened(Message, bubble=False):
    """A trace's view, built by a worker."""

    def __init__(self, trace_id: str, view: TraceView, query: str = "") -> None:
        super().__init__()
        self.trace_id = trace_id
        self.view = view
        self.query = query
        """The span search the view was built with."""


class SearchMatched(Message, bubble=False):
    """The spans of ``view`` matching ``query`` (computed by a worker)."""

    def __init__(self, view: TraceView, query: str, matches: set[int]) -> None:
        super().__init__()
        self.view = view
        self.query = query
        self.matches = matches


class TracePane(TraceActionsMixin, TraceInvestigateMixin, Vertical):
    """Trace list over a span tree and the detail of the span under the cursor."""

    DEFAULT_CSS = """
    TracePane { height: 1fr; }
    TracePane > #trace-list { height: auto; max-height: 10; }
    TracePane > #trace-main { height: 1fr; }
    TracePane #span-tree { width: 3fr; border: round $primary 40%; }
    TracePane #span-detail { width: 2fr; border: round $primary 40%; padding: 0 1; }
    TracePane #span-tree:focus, TracePane #span-detail:focus { border: round $accent; }
    TracePane > #trace-search { display: none; height: 3; }
    TracePane > #trace-search.-active { display: block; }
    TracePane > #trace-status { height: 1; color: $text-muted; background: $panel; }
    """

    BINDINGS = [
        # priority: the search box takes the focus when the app reads ``/``, so the keys
        # typed right after it land in the box (not in the list, nor as war-room keys)
        Binding("slash", "search", "Search", id="traces.search", priority=True),
        # priority, active only in the search box and the trace list: enter closes the box
        # (or opens the trace under the cursor) and moves the focus when the app reads the
        # key, so the next key of a burst (enter, /, n, p) reaches the list or the tree
        Binding(
            "enter",
            "submit_search",
            "Open trace",  # shown: it stands in for the list's own "⏎ Open trace"
            priority=True,
            id="traces.submit_search",
        ),
        Binding("escape", "clear_search", "Clear search", id="traces.clear_search"),
        Binding("p", "pin", "Pin evidence", id="traces.pin"),
        Binding(
            "f", "find_similar", "Similar", tooltip="Find similar spans", id="traces.find_similar"
        ),
        Binding("x", "records", "Records", tooltip="Records to correct", id="traces.records"),
        Binding("w", "toggle_list", "Trace list", show=False, id="traces.toggle_list"),
        # the investigation keys: c in the footer (D, I, C in ? and as : verbs)
        Binding("c", "conversation", "Conversation", id="traces.conversation"),
        Binding("D", "diff", "Diff runs", show=False, id="traces.diff"),
        Binding("I", "icicle", "Where time went", show=False, id="traces.icicle"),
        Binding("C", "changes", "What changed", show=False, id="traces.changes"),
    ]
    TICK_SECONDS = 0.3
    # polls that bring nothing come ever more slowly, up to this (an idle war room costs
    # almost nothing, issue 13); the first spans bring the tick's rate back
    POLL_MAX_SECONDS = 1.2
    CLOSE_TIMEOUT = 5.0
    DETAIL_DELAY = 0.08
    SEARCH_DELAY = 0.25

    def __init__(
        self,
        workspace: Workspace | None,
        incident_id: str | None = None,
        *,
        sources: Sequence[TraceSource] | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.workspace = workspace
        self.incident_id = incident_id
        self.owns_sources = sources is None
        self.problems: list[str] = []
        self.problem_sources: dict[str, str] = {}  # problem line -> the source it came from
        if sources is not None:
            self.sources: list[TraceSource] = list(sources)
        else:
            self.sources, self.problems = default_sources(workspace)
        self.index = TraceIndex()
        """Mutated only under ``_lock`` (by the ingest and open workers)."""
        self.live = LiveFeed()
        self.view: TraceView | None = None
        self.current_trace: str | None = None
        self.summaries: list[TraceSummary] = []
        self.loading = True
        self.refreshes = 0
        """How many times new spans were folded into the view (tests and benchmarks)."""
        self._lock = threading.Lock()
        self._ingesting = False
        self._list_query = ""
        self._span_query = ""
        self._search_target = "spans"
        self._detail_timer: Timer | None = None
        self._detail_at = 0.0
        self._search_timer: Timer | None = None
        self._own_loop: BackendLoop | None = None
        self._sources_lock = threading.Lock()
        """Held by a source load, poll or close: a close waits for the call in flight."""
        self._sources_live = False  # loaded: the tick polls from now on
        self._sources_polling = False
        self._sources_closed = False
        self._poll_wait = self.TICK_SECONDS
        self._next_poll = 0.0

    # -- layout ------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield TraceList(id="trace-list")
        with Horizontal(id="trace-main"):
            yield SpanTree(id="span-tree")
            yield SpanDetail(id="span-detail")
        yield Input(id="trace-search", placeholder="search spans")
        yield Static(id="trace-status")

    @property
    def span_tree(self) -> SpanTree:
        return self.query_one(SpanTree)

    @property
    def detail(self) -> SpanDetail:
        return self.query_one(SpanDetail)

    @property
    def trace_list(self) -> TraceList:
        return self.query_one(TraceList)

    def on_mount(self) -> None:
        self.query_one("#span-tree").border_title = "spans"
        self.query_one("#span-detail").border_title = "detail"
        self.set_interval(self.TICK_SECONDS, self._tick)
        if self.sources:
            if self.workspace is not None:  # its status bar reports their health
                self.workspace.open_trace_sources.add(self.sources)
            self._run_sources()  # the app's ProcessTuning keeps keys fast meanwhile
        else:
            self._set_problems(self.problems)
            self.post_message(FirstData("traces"))  # nothing to load: this is its data
        self._update_status()

    # -- spans in ----------------------------------------------------------------------
    def feed(self, spans: Iterable[Span]) -> None:
        """Hand over spans from any thread; they show up on the next tick."""
        self.live.feed(spans)

    # Live sources follow the one concurrency model (docs/architecture.md): thread workers
    # run the sources' coroutines on the workspace's backend loop and post Messages; the
    # pane's tick starts the next poll when the last one has ended.
    def _backend_loop(self) -> BackendLoop:
        if self.workspace is not None:
            return self.workspace.backend_loop
        if self._own_loop is None:  # a pane handed sources without a workspace
            self._own_loop = BackendLoop("ircmd-trace-sources")
        return self._own_loop

    def _each_source(
        self,
        call: Callable[[Any], Any],
        on_batch: Callable[[Any, str], None],
        problems: list[tuple[str, str]],
    ) -> bool:
        """Run ``call(source)`` for every source on the backend loop (from a thread worker,
        under the sources' lock) and hand each batch to ``on_batch``; a source that raises
        becomes one problem line. False when the sources are closed already."""
        loop = self._backend_loop()
        with self._sources_lock:
            if self._sources_closed:
                return False
            for source in self.sources:
                label = self._source_label(source)
                try:
                    batch = loop.run(call(source))
                except Exception as exc:  # a broken source must not take the pane down
                    problems.append((f"{source.name}: {type(exc).__name__}: {exc}", label))
                    continue
                on_batch(batch, label)
        return True

    @work(thread=True, group="trace-sources", exit_on_error=False)
    def _run_sources(self) -> None:
        """Load every source once (a thread worker), then let the tick poll them."""
        problems: list[tuple[str, str]] = []

        def loaded(batch: Any, label: str) -> None:
            problems.extend((ln, label) for ln in batch.problem_lines)
            self.live.feed(batch.spans, live=False)

        if not self._each_source(lambda source: source.load(), loaded, problems):
            return
        self.post_message(SourcesLoaded(problems))
        self._ingest_now(None, self._span_query)

    def _poll_sources_due(self) -> None:
        """On the tick: poll the sources again once the last poll has ended."""
        if self._sources_live and not self._sources_polling and time.monotonic() >= self._next_poll:
            self._sources_polling = True
            self._poll_sources()

    @work(thread=True, group="trace-sources", exit_on_error=False)
    def _poll_sources(self) -> None:
        """One poll of every source (a thread worker); what arrived goes to the live feed."""
        problems: list[tuple[str, str]] = []
        arrived = False

        def polled(batch: Any, label: str) -> None:
            nonlocal arrived
            if batch.spans:
                arrived = True
                self.live.feed(batch.spans)
            if batch.problems or batch.warnings:
                problems.extend((ln, label) for ln in batch.problem_lines)

        try:
            self._each_source(lambda source: source.poll(), polled, problems)
        finally:
            self.post_message(SourcesPolled(problems, arrived))

    def on_sources_loaded(self, message: SourcesLoaded) -> None:
        lines = [self._from_label(line, label) for line, label in message.problems]
        self._set_problems([*self.problems, *lines])
        self._sources_live = True

    def on_sources_polled(self, message: SourcesPolled) -> None:
        self._sources_polling = False
        if message.arrived:
            self._poll_wait = self.TICK_SECONDS
        else:
            self._poll_wait = min(self._poll_wait * 2, self.POLL_MAX_SECONDS)
        self._next_poll = time.monotonic() + self._poll_wait - self.TICK_SECONDS
        if message.problems:
            self._add_problems([self._from_label(line, label) for line, label in message.problems])

    def _close_sources(self) -> None:
        """Close the sources on the loop they ran on (off the UI loop: from ``on_unmount``
        through ``asyncio.to_thread``); waits up to ``CLOSE_TIMEOUT`` for a load or poll in
        flight, then closes anyway (that call then fails, and nothing reads its result)."""
        locked = self._sources_lock.acquire(timeout=self.CLOSE_TIMEOUT)
        try:
            self._sources_closed = True
            if self.owns_sources:
                loop = self._backend_loop()
                for source in self.sources:
                    with contextlib.suppress(Exception):  # closing is best effort
                        loop.run(source.close(), self.CLOSE_TIMEOUT)
        finally:
            if locked:
                self._sources_lock.release()
        if self._own_loop is not None:
            self._own_loop.stop()

    @staticmethod
    def _source_label(source: TraceSource) -> str:
        """Which source a problem line came from, as the status names it."""
        label = "file" if source.kind == "files" else source.kind
        if source.name not in (source.kind, "files"):
            label += f" {source.name!r}"
        return label

    def _from_label(self, line: str, label: str) -> str:
        """Remember which source a problem line came from (the status names it)."""
        self.problem_sources.setdefault(line, label)
        return line

    def problem_label(self) -> str:
        """``N problem(s) from phoenix 'prod', file``: the sources of the problems shown
        (``config`` for a source the config could not build)."""
        names = list(dict.fromkeys(self.problem_sources.get(p, "config") for p in self.problems))
        shown = ", ".join(names[:3]) + (f" +{len(names) - 3}" if len(names) > 3 else "")
        return f"{len(self.problems)} problem(s) from {shown}"

    def _add_problems(self, lines: list[str]) -> None:
        new = [ln for ln in lines if ln not in self.problems]
        if new:
            self.problems.extend(new)
            self._notify_problems(new)
            self._update_status()

    def _notify_problems(self, lines: list[str]) -> None:
        for line in lines[:3]:
            self.app.notify(one_line(line, 300), severity="warning", markup=False, timeout=8)

    async def on_unmount(self) -> None:
        if self.sources:
            if self.workspace is not None:  # the status bar stops reporting them
                self.workspace.open_trace_sources.discard(self.sources)
            await asyncio.to_thread(self._close_sources)

    def _set_problems(self, problems: list[str]) -> None:
        self.loading = False
        self.problems = problems
        self._notify_problems(problems)
        self._update_status()

    def _tick(self) -> None:
        self._poll_sources_due()
        if self.live.pending and not self._ingesting:
            self._ingesting = True
            state = self.span_tree.state() if self.view is not None else None
            self._ingest(state, self._span_query)

    @work(thread=True, group="trace-ingest", exit_on_error=False)
    def _ingest(self, state: TreeState | None, query: str) -> None:
        posted = False
        try:
            posted = self._ingest_now(state, query, from_tick=True)
        finally:
            if not posted:  # nothing for the UI: the next tick may ingest again
                self._ingesting = False

    def _ingest_now(
        self, state: TreeState | None = None, query: str = "", *, from_tick: bool = False
    ) -> bool:
        """Fold pending spans into the index; rebuild what changed (worker thread). True
        when the result was posted to the pane (:class:`TracesIngested`)."""
        with self._lock:
            batch = self.live.drain()
            changed = self.index.add(batch) if batch else set()
            if batch:
                # Spans are long-lived and acyclic: out of the cyclic collector's passes.
                freeze_long_lived()
            if not changed and self.view is not None:
                return False
            summaries = self.index.summaries()[:LIST_LIMIT]
            current = self.current_trace
            if current is None or current not in self.index:
                shown = filter_trace_list(summaries, self._list_query)  # never a filtered-out one
                current = shown[0].trace_id if shown else None
            view = None
            previous = self.view
            if current is not None and (current in changed or previous is None):
                tree = self.index.tree(current)
                if tree is not None:
                    same = previous is not None and previous.tree.trace_id == current
                    view = tree_model(
                        tree,
                        previous=previous if same else None,
                        state=state if same else None,
                        query=query,
                        with_critical=self.span_tree.show_critical,
                    )
        self.post_message(TracesIngested(summaries, current, view, from_tick))
        return True

    def on_traces_ingested(self, message: TracesIngested) -> None:
        try:
            self._apply(message.summaries, message.current, message.view)
        finally:
            if message.from_tick:
                self._ingesting = False

    def _apply(
        self, summaries: list[TraceSummary], current: str | None, view: TraceView | None
    ) -> None:
        self.summaries = summaries
        self._show_list()
        self.refreshes += 1
        if view is not None:
            self.current_trace = current
            self._show_view(view)
        self._update_status()
        if self.refreshes == 1:
            self.post_message(FirstData("traces"))

    def _show_view(self, view: TraceView) -> None:
        self.view = view
        self.trace_list.select(view.tree.trace_id)
        self.span_tree.set_model(
            view.model,
            rows=view.rows,
            cursor_node=view.cursor_node,
            top_node=view.top_node,
            matches=view.matched,
        )

    def _show_list(self) -> None:
        shown = filter_trace_list(self.summaries, self._list_query)
        self.trace_list.show_summaries(shown)
        display = len(self.summaries) > 1 or bool(self._list_query)
        if self.trace_list.display != display:
            self.trace_list.display = display
        if self._list_query and self.current_trace not in {s.trace_id for s in shown}:
            # the tree never shows a trace the list filtered out: the first one left, or none
            if shown:
                self.open_trace(shown[0].trace_id)
            else:
                self._clear_view()

    def _clear_view(self) -> None:
        self.current_trace = None
        self.view = None
        self.span_tree.set_model(None)
        self.detail.show_span(None, None)

    # -- choosing a trace --------------------------------------------------------------
    @on(TraceList.Chosen)
    def _chosen(self, event: TraceList.Chosen) -> None:
        event.stop()
        self.open_trace(event.trace_id)
        self.span_tree.focus()

    @on(TraceList.Highlighted)
    def _row_highlighted(self, event: TraceList.Highlighted) -> None:
        event.stop()
        if event.trace_id != self.current_trace and self.trace_list.has_focus:
            self.open_trace(event.trace_id)

    def open_trace(self, trace_id: str) -> None:
        self.current_trace = trace_id
        self._open(trace_id, self._span_query)

    @work(thread=True, exclusive=True, group="trace-open", exit_on_error=False)
    def _open(self, trace_id: str, query: str) -> None:
        with self._lock:
            tree = self.index.tree(trace_id)
            view = tree_model(tree, query=query) if tree is not None else None
        if view is not None:
            self.post_message(TraceOpened(trace_id, view, query))

    def on_trace_opened(self, message: TraceOpened) -> None:
        self._show_trace(message.trace_id, message.view, message.query)

    def _show_trace(self, trace_id: str, view: TraceView, query: str = "") -> None:
        if trace_id != self.current_trace:
            return
        self._show_view(view)
        if self._span_query and query != self._span_query:
            self._run_search(self._span_query)  # typed while the trace was opening
        self._update_status()

    # -- detail ------------------------------------------------------------------------
    @on(SpanTree.Highlighted)
    def _highlighted(self, event: SpanTree.Highlighted) -> None:
        """The detail follows the cursor: at once (drawn in the same frame as the tree),
        but at most every ``DETAIL_DELAY`` while a key is held down."""
        event.stop()
        if self._detail_timer is not None:
            self._detail_timer.stop()
            self._detail_timer = None
        if time.monotonic() - self._detail_at >= self.DETAIL_DELAY:
            self._show_detail()
        else:
            self._detail_timer = self.set_timer(self.DETAIL_DELAY, self._show_detail)

    def _show_detail(self) -> None:
        self._detail_timer = None
        self._detail_at = time.monotonic()
        view = self.view
        span = view.span(self.span_tree.current_node) if view is not None else None
        self.detail.show_span(span, view.model.start_ns if view is not None else None)

    @property
    def current_span(self) -> Span | None:
        return self.view.span(self.span_tree.current_node) if self.view is not None else None

    # -- search ------------------------------------------------------------------------
    def action_search(self) -> None:
        box = self.query_one("#trace-search", Input)
        self._search_target = "traces" if self.trace_list.has_focus else "spans"
        if self._search_target == "traces":
            box.placeholder = "filter traces: error model:NAME tool:NAME conv:ID text"
            box.value = self._list_query
        else:
            box.placeholder = "search spans (name, attributes, ids); enter keeps the filter"
            box.value = self._span_query
        box.add_class("-active")
        self.screen.set_focus(box)  # now: keys typed right after / go into the box

    def action_clear_search(self) -> None:
        box = self.query_one("#trace-search", Input)
        # the focus moves back only out of the box: a key typed after esc (``1`` for another
        # pane) may already have moved it elsewhere, and must keep it there
        refocus = box.has_focus
        box.remove_class("-active")
        if self._search_target == "traces":
            self._list_query = ""
            self._show_list()
            if refocus:
                self.trace_list.focus()
        else:
            self._span_query = ""
            self.span_tree.set_filter(None)
            if refocus:
                self.span_tree.focus()
        self._update_status()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "search" and self.query_one("#trace-search", Input).has_focus:
            # ``/`` typed in the box is text (Textual 8.2's binding chain does not know the
            # box consumes ``slash``, so this priority binding would take it)
            return False
        if action == "submit_search":
            return self.query_one("#trace-search", Input).has_focus or self.trace_list.has_focus
        if action == "clear_search":
            active = self.query_one("#trace-search", Input).has_class("-active")
            return active or bool(self._span_query) or bool(self._list_query)
        return self.check_trace_action(action)

    @on(Input.Changed, "#trace-search")
    def _search_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._search_timer is not None:
            self._search_timer.stop()
        value = event.value
        self._search_timer = self.set_timer(self.SEARCH_DELAY, lambda: self._apply_query(value))

    @on(Input.Submitted, "#trace-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit_search(event.input)

    def action_submit_search(self) -> None:
        if self.trace_list.has_focus:
            trace_id = self.trace_list.selected_trace
            if trace_id is not None:
                if self.view is None or self.view.tree.trace_id != trace_id:
                    self.open_trace(trace_id)
                self.span_tree.focus()
            return
        self._submit_search(self.query_one("#trace-search", Input))

    def _submit_search(self, box: Input) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        self._apply_query(box.value)
        box.remove_class("-active")
        (self.trace_list if self._search_target == "traces" else self.span_tree).focus()

    def _apply_query(self, value: str) -> None:
        if self._search_target == "traces":
            self._list_query = value.strip()
            self._show_list()
        else:
            self._span_query = value.strip()
            if self._span_query:
                self._run_search(self._span_query)
            else:
                self.span_tree.set_filter(None)
        self._update_status()

    def _run_search(self, query: str) -> None:
        if self.view is not None:
            self._search(self.view, query)

    @work(thread=True, exclusive=True, group="trace-search", exit_on_error=False)
    def _search(self, view: TraceView, query: str) -> None:
        matches = view.matches(query)
        self.post_message(SearchMatched(view, query, matches))

    def on_search_matched(self, message: SearchMatched) -> None:
        self._show_matches(message.view, message.query, message.matches)

    def _show_matches(self, view: TraceView, query: str, matches: set[int]) -> None:
        if view is not self.view or query != self._span_query:
            return
        self.span_tree.set_filter(matches)
        self._update_status()

    def action_toggle_list(self) -> None:
        self.trace_list.display = not self.trace_list.display

    # -- status ------------------------------------------------------------------------
    def _update_status(self) -> None:
        t = Text(no_wrap=True, overflow="ellipsis")
        if self.loading:
            t.append(" loading…", "italic")
        t.append(" " + count(len(self.index), "trace"), "bold")
        t.append(" · " + count(self.index.span_count, "span"))
        view = self.view
        if view is not None:
            errors = len(view.model.errors)
            t.append("   this trace " + count(len(view.spans), "span"), "dim")
            if errors:
                t.append(f" · {count(errors, 'error')} (e)", "bold red")
        if self._span_query:
            n = len(self.span_tree._matches or ())
            t.append("   search ", "dim")
            t.append(one_line(self._span_query, 40), "bold")
            t.append(f" {n:,} matching (n/N)", "dim")
        if self._list_query:
            t.append("   traces filtered ", "dim")
            t.append(one_line(self._list_query, 40), "bold")
        if self.live.received:
            t.append(f"   live {self.live.received:,} received", "green")
        for source in self.sources:
            if source.kind != "files":
                t.append("   ")
                t.append(one_line(source.describe(), 90), "dim")
        if self.problems:
            t.append(f"   {self.problem_label()}: ", "yellow")
            t.append(one_line(self.problems[0], 120), "yellow")
        if not self.sources:
            t.append(
                "   no trace source: add [[trace_sources]] to the config, "
                "or run `ircmd trace view PATH`",
                "italic",
            )
        if self.incident_id:
            t.append(f"   evidence → {self.incident_id}", "magenta")
        self.query_one("#trace-status", Static).update(t, layout=False)


def default_sources(workspace: Workspace | None) -> tuple[list[TraceSource], list[str]]:
    """The trace sources the workspace's config names (none without a workspace), and one
    line per source that could not be built."""
    if workspace is None or not workspace.config.trace_sources:
        return [], []
    return build_sources(workspace.config, workspace.data_dir)
