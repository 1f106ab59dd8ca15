"""What the review screen shows on its first line and the messages its workers post back
(the incident and review loaded, saved, or the error that stopped either)."""

from __future__ import annotations

from rich.text import Text
from textual.message import Message

from ircmd.domain.evidence.review import Review
from ircmd.domain.incidents.incident import Incident
from ircmd.domain.incidents.timeline import TimelineEvent
from ircmd.tui.widgets.safe import safe_text
from ircmd.tui.widgets.styles import SEVERITY_STYLE, STATUS_STYLE


def review_header(inc: Incident, review: Review | None) -> Text:
    t = Text(no_wrap=True, overflow="ellipsis")
    t.append(" REVIEW ", "bold reverse")
    t.append(f" {inc.id} ", "bold")
    t.append_text(safe_text(inc.title, "bold"))
    t.append("   ")
    t.append(f" {inc.severity.value.upper()} ", SEVERITY_STYLE[inc.severity.value] + " reverse")
    t.append(" ")
    t.append(inc.status.value, STATUS_STYLE[inc.status.value])
    if review is not None:
        t.append(
            "   final" if review.final else "   draft", "bold green" if review.final else "dim"
        )
    return t


class MomentsRead(Message, bubble=False):
    """The timeline, re-read by a worker for the key moments list."""

    def __init__(self, events: list[TimelineEvent]) -> None:
        super().__init__()
        self.events = events


class ReviewLoaded(Message, bubble=False):
    """The incident, its events and review, and how many spans and eval cases it has."""

    def __init__(
        self, inc: Incident, events: list[TimelineEvent], review: Review, spans: int, cases: int
    ) -> None:
        super().__init__()
        self.inc = inc
        self.events = events
        self.review = review
        self.spans = spans
        self.cases = cases


class ReviewFailed(Message, bubble=False):
    """Loading (``saving`` False) or saving the review failed."""

    def __init__(self, error: Exception, saving: bool) -> None:
        super().__init__()
        self.error = error
        self.saving = saving


class ReviewSaved(Message, bubble=False):
    """The review as saved, and the incident after it."""

    def __init__(self, inc: Incident, saved: Review) -> None:
        super().__init__()
        self.inc = inc
        self.saved = saved
