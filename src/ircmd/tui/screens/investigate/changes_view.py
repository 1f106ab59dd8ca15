"""What changed before it broke (``C`` in the trace explorer): the change points over the
loaded spans (a new prompt, model, retrieval source, tool or service version appearing
together with a change in error rate), then the versions seen per dimension. ``r`` records
the change point under the cursor as a finding. Computed and written in thread workers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from ircmd.domain.text import count, one_line
from ircmd.domain.traces.changes import ChangePoint, ChangeReport, changes
from ircmd.domain.traces.spans import Span
from ircmd.service.workspace import Workspace


class ChangesComputed(Message, bubble=False):
    def __init__(self, report: ChangeReport) -> None:
        super().__init__()
        self.report = report


class ChangesNotice(Message, bubble=False):
    def __init__(self, text: str, severity: str = "information") -> None:
        super().__init__()
        self.text = text
        self.severity = severity


def _when(ns: int) -> str:
    return datetime.fromtimestamp(ns / 1e9, tz=UTC).strftime("%m-%d %H:%M:%S")


def _clock(ns: int) -> str:
    return datetime.fromtimestamp(ns / 1e9, tz=UTC).strftime("%H:%M:%S")


class ChangesScreen(Screen[None]):
    DEFAULT_CSS = """
    ChangesScreen #changes-header { height: 1; background: $panel; }
    ChangesScreen #change-points { height: 1fr; min-height: 4; }
    ChangesScreen #versions { height: 2fr; }
    """
    BINDINGS = [
        Binding("r", "record", "Record finding", id="changes.record"),
        Binding("escape,minus", "close", "Back", id="changes.close"),
    ]
    AUTO_FOCUS = "#change-points"

    def __init__(
        self,
        workspace: Workspace | None,
        incident_id: str | None,
        spans: Sequence[Span],
        source: str,
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.incident_id = incident_id
        self.spans = list(spans)
        self.source = source
        self.report: ChangeReport | None = None
        self.recorded: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static(id="changes-header")
        points: DataTable[Text] = DataTable(id="change-points", cursor_type="row")
        yield points
        versions: DataTable[Text] = DataTable(id="versions", cursor_type="row")
        yield versions
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#changes-header", Static).update(Text("looking for changes…", "dim"))
        points = self.query_one("#change-points", DataTable)
        points.add_columns("at (UTC)", "dimension", "from → to", "errors")
        points.border_title = "change points"
        versions = self.query_one("#versions", DataTable)
        versions.add_columns("dimension", "version", "spans", "errors", "seen (UTC)")
        self._compute()

    @work(thread=True, exclusive=True, group="changes-compute", exit_on_error=False)
    def _compute(self) -> None:
        try:
            flagged: set[str] = set()
            if self.workspace is not None and self.incident_id:
                from ircmd.service.investigate.changes import finding_trace_ids

                flagged = finding_trace_ids(self.workspace, self.incident_id, self.spans)
            report = changes(self.spans, flagged=flagged)
        except Exception as exc:  # worker: untrusted spans; any failure is one line
            self.post_message(ChangesNotice(f"Changes failed: {exc}", "error"))
            return
        self.post_message(ChangesComputed(report))

    def on_changes_computed(self, message: ChangesComputed) -> None:
        self.report = report = message.report
        n_versions = sum(len(v) for v in report.dimensions.values())
        head = Text(no_wrap=True, overflow="ellipsis")
        head.append("what changed ", "bold")
        n_points, n_spans = len(report.change_points), len(self.spans)
        head.append(
            f"{count(n_points, 'change point')} · {count(n_versions, 'version')} · "
            f"{count(n_spans, 'span')}",
            "dim",
        )
        head.truncate(max(20, self.size.width or 80), overflow="ellipsis")
        self.query_one("#changes-header", Static).update(head)
        # the table fits the screen: "from → to" gets what the other columns leave
        width = self.size.width or 80
        change_width = max(16, min(44, width - 44))
        version_width = max(16, min(36, width - 47))
        points = self.query_one("#change-points", DataTable)
        for i, cp in enumerate(report.change_points):
            before, after = cp.error_rate_before, cp.error_rate_after
            if cp.by_findings:  # the errors held; the share of traces in findings moved
                before, after = cp.finding_rate_before or 0.0, cp.finding_rate_after or 0.0
            rose = after > before
            points.add_row(
                Text(_when(cp.at_ns)),
                Text(cp.dimension, "bold"),
                Text(one_line(f"{cp.from_value or '—'} → {cp.to_value}", change_width)),
                Text(
                    f"{'findings ' if cp.by_findings else ''}{before:.1%} → {after:.1%}",
                    "bold red" if rose else "green",
                ),
                key=str(i),
            )
        if not report.change_points:
            points.add_row(
                Text("no change point: no new version came with a change in errors", "dim"),
                Text(""),
                Text(""),
                Text(""),
            )
        versions = self.query_one("#versions", DataTable)
        for name, vs in report.dimensions.items():
            for v in vs:
                versions.add_row(
                    Text(name, "dim"),
                    Text(one_line(v.value, version_width)),
                    Text(str(v.spans)),
                    Text(f"{v.error_rate:.1%}", "red" if v.error_rate else ""),
                    Text(f"{_clock(v.first_ns)}→{_clock(v.last_ns)}", "dim"),
                )

    @property
    def current_point(self) -> ChangePoint | None:
        if self.report is None or not self.report.change_points:
            return None
        row = self.query_one("#change-points", DataTable).cursor_row
        pts = self.report.change_points
        return pts[row] if 0 <= row < len(pts) else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "record":
            ws = self.workspace
            return None if ws is None or ws.read_only or not self.incident_id else True
        return True

    def action_record(self) -> None:
        cp = self.current_point
        if cp is None:
            self.notify("No change point under the cursor.", markup=False, timeout=3)
            return
        self._record(cp)

    @work(thread=True, group="changes-record", exit_on_error=False)
    def _record(self, cp: ChangePoint) -> None:
        from ircmd.service.investigate.changes import record_change_point

        assert self.workspace is not None and self.incident_id is not None
        try:
            ev = record_change_point(self.workspace, self.incident_id, cp, self.source)
        except Exception as exc:  # worker: any failure is one line, never a silent stop
            self.post_message(ChangesNotice(f"Recording failed: {exc}", "error"))
            return
        self.recorded.append(ev.text)
        self.post_message(ChangesNotice(f"Finding recorded on {self.incident_id}: {ev.text}"))

    def on_changes_notice(self, message: ChangesNotice) -> None:
        self.notify(one_line(message.text, 400), severity=message.severity, markup=False)  # type: ignore[arg-type]

    def action_close(self) -> None:
        self.app.pop_screen()
