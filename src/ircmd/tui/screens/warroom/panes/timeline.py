"""Timeline pane: every event of the incident, live across consoles, filterable."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import Static

from ircmd.domain.incidents.commandline import Command, Verb
from ircmd.domain.incidents.eventfilter import EventFilter, parse_filter
from ircmd.domain.incidents.timeline import TimelineEvent
from ircmd.domain.text import count
from ircmd.tui.messages import FirstData, StoreChanged
from ircmd.tui.process_tuning import freeze_long_lived
from ircmd.tui.screens.dialogs.detail import EventDetailScreen
from ircmd.tui.screens.warroom.panes.base import Pane, PaneFeedback
from ircmd.tui.widgets.incidents.timeline import TimelineView
from ircmd.tui.widgets.safe import safe_text

FREEZE_AT = 2000
"""Events in a full load above which the loaded objects are frozen for the GC."""


class TimelineRead(Message, bubble=False):
    """Events a worker read (all of them when ``full``, else those after the last seen)."""

    def __init__(self, events: list[TimelineEvent], full: bool) -> None:
        super().__init__()
        self.events = events
        self.full = full


class TimelinePane(Pane):
    PANE_TITLE = "timeline"

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._all: list[TimelineEvent] = []
        self._filter = EventFilter()
        self._last_seq = 0
        self._shown_once = False

    def compose(self) -> ComposeResult:
        yield Static(id="timeline-filter", classes="pane-filter")
        view = TimelineView(id="timeline")
        ui = self.workspace.config.ui
        view.set_reactive(TimelineView.relative, ui.time_format == "relative")
        view.set_reactive(TimelineView.utc, ui.timezone == "utc")
        yield view

    @property
    def view(self) -> TimelineView:
        return self.query_one(TimelineView)

    def on_mount(self) -> None:
        self.query_one("#timeline-filter").display = False
        self.view.set_now(self.now())
        self.reload(full=True)
        self.set_interval(5.0, self._tick)

    def _tick(self) -> None:
        self.view.set_now(self.now())

    # -- data -------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="timeline-load", exit_on_error=False)
    def reload(self, full: bool = False) -> None:
        after = 0 if full else self._last_seq
        try:
            events = self.workspace.incidents.timeline(self.incident_id, after_seq=after)
        except Exception as exc:  # worker: any failure is one line, never a silent stop
            self.post_message(PaneFeedback(f"timeline: {exc}", error=True))
            return
        self.post_message(TimelineRead(events, full))

    def on_timeline_read(self, message: TimelineRead) -> None:
        self._show(message.events, message.full)

    def _show(self, events: list[TimelineEvent], full: bool) -> None:
        if full:
            self._all = list(events)
            self._last_seq = 0
        else:
            events = [e for e in events if e.seq > self._last_seq]
            self._all.extend(events)
        if events or full:
            self._last_seq = max(self._last_seq, self._all[-1].seq if self._all else 0)
        self.view.set_now(self.now())
        if full:
            self.view.set_events(self._filter.apply(self._all))
            if len(self._all) >= FREEZE_AT:
                # A long timeline is tens of thousands of long-lived objects: out of the
                # cyclic GC's generations, so a full collection never stalls a key.
                freeze_long_lived()
        else:
            self.view.append_events(self._filter.apply(events))
        self._update_title()
        if not self._shown_once:
            self._shown_once = True
            self.post_message(FirstData("timeline"))

    def on_store_changed(self, _: StoreChanged) -> None:
        self.reload()

    def on_timeline_view_opened(self, message: TimelineView.Opened) -> None:
        message.stop()
        self.app.push_screen(EventDetailScreen(message.event))

    # -- filter -------------------------------------------------------------------------
    def apply_filter(self, text: str) -> None:
        self._filter = parse_filter(text)
        self.filter_text = text.strip()
        self.view.set_events(self._filter.apply(self._all))
        bar = self.query_one("#timeline-filter", Static)
        bar.display = bool(self.filter_text)
        line = Text("/ ", "bold")
        line.append_text(safe_text(self.filter_text))
        line.append("   esc clears", "dim")
        bar.update(line)
        self._update_title()

    def _update_title(self) -> None:
        shown, total = len(self.view.events), len(self._all)
        self.border_subtitle = f"{shown}/{total}" if self.filter_text else count(total, "event")

    # -- verbs --------------------------------------------------------------------------
    def verbs(self) -> Iterable[Verb]:
        return (
            Verb(
                "time",
                "timeline: toggle relative / absolute times",
                mutates=False,
                handler=self._verb_time,
                source="timeline",
            ),
            Verb(
                "zone",
                "timeline: toggle UTC / local time",
                mutates=False,
                handler=self._verb_zone,
                source="timeline",
                aliases=("tz",),
            ),
        )

    def _verb_time(self, _: Command) -> str:
        self.view.action_toggle_time()
        return "times are " + ("relative" if self.view.relative else "absolute")

    def _verb_zone(self, _: Command) -> str:
        self.view.action_toggle_zone()
        return "times in " + ("UTC" if self.view.utc else "local time")
