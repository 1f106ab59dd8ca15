"""The timeline as a checklist: ``space`` marks an event as a key moment of the review."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import SelectionList

from ircmd.domain.incidents.timeline import TimelineEvent
from ircmd.domain.text import one_line
from ircmd.tui.widgets.incidents.timeline import SHORT_KIND
from ircmd.tui.widgets.styles import EVENT_STYLE

KIND_WIDTH = 16


def kind_label(ev: TimelineEvent) -> str:
    """The kind in at most KIND_WIDTH cells, never cut: "containment requested" and
    "containment confirmed" cut to 16 read the same, so long ones take the timeline's short
    label (``contain?``, ``contained``)."""
    label = ev.kind.label
    return label if len(label) <= KIND_WIDTH else SHORT_KIND.get(ev.kind.value, label)[:KIND_WIDTH]


def moment_label(ev: TimelineEvent) -> Text:
    t = Text(no_wrap=True, overflow="ellipsis")
    t.append(f"{ev.seq:>4} ", "dim")
    t.append(ev.at.strftime("%H:%M "), "dim")
    t.append(f"{kind_label(ev):<{KIND_WIDTH + 1}}", EVENT_STYLE.get(ev.kind.value, ""))
    t.append(one_line(ev.text, 200))
    return t


class KeyMomentsList(SelectionList[int]):
    """Events handed down; the selected values are the key moments' seqs.

    An unmarked moment shows an empty box (its ``X`` drawn in the box's own colour), a marked
    one a filled box with a bold ``X``: distinct in every built-in theme, not two shades."""

    DEFAULT_CSS = """
    KeyMomentsList {
        & > .selection-list--button, & > .selection-list--button-highlighted {
            color: $panel;
            background: $panel;
        }
        & > .selection-list--button-selected,
        & > .selection-list--button-selected-highlighted {
            color: $text;
            background: $success;
            text-style: bold;
        }
    }
    """

    seqs: frozenset[int] = frozenset()
    """The events shown."""

    def show(self, events: list[TimelineEvent], marked: list[int]) -> None:
        keep = set(marked)
        self.seqs = frozenset(e.seq for e in events)
        self.clear_options()
        self.add_options([(moment_label(e), e.seq, e.seq in keep) for e in events])
        if events:
            self.highlighted = 0

    @property
    def marked(self) -> list[int]:
        return sorted(self.selected)
