"""What the review screen shows on its first line and the messages its workers post back
(the incident and review loaded, saved, or the error that stopped either)."""

from __future__ import annotations

from rich.text import Text
from textual.message import Message

from ircmd.domain.evidence.review import Review
from ircmd.domain.incidents.incident import Incident, Status
from ircmd.domain.incidents.timeline import TimelineEvent
from ircmd.tui.widgets.safe import safe_text
from ircmd.tui.widgets.styles import SEVERITY_STYLE, STATUS_STYLE


def review_header(inc: Incident, review: Review | None) -> Text:
    """Id, severity, status and draft/final first, the title last: a narrow screen cuts the
    title, never the review's state."""
    t = Text(no_wrap=True, overflow="ellipsis")
    t.append(" REVIEW ", "bold reverse")
    t.append(f" {inc.id} ", "bold")
    t.append(" ")
    t.append(f" {inc.severity.value.upper()} ", SEVERITY_STYLE[inc.severity.value] + " reverse")
    t.append(" ")
    t.append(inc.status.value, STATUS_STYLE[inc.status.value])
    if review is not None:
        t.append("  final" if review.final else "  draft", "bold green" if review.final else "dim")
    t.append("   ")
    t.append_text(safe_text(inc.title, "bold"))
    return t


def review_hints(status: Status, read_only: bool) -> tuple[str, ...]:
    """The line under the header, longest first: the screen shows the longest that fits."""
    if read_only:
        return (
            "Read-only seat: the review is shown, not changed (ctrl+s and ctrl+r are refused).",
            "Read-only seat: the review is shown, not changed.",
        )
    if status == Status.REVIEWED:
        return ("This incident is reviewed; saving updates the review.",)
    if status != Status.RESOLVED:
        return (
            f"The incident is {status.value}: draft the review now; completing it (ctrl+r) "
            "needs the incident resolved.",
            f"{status.value}: ctrl+s saves a draft · ctrl+r needs the incident resolved",
            "ctrl+s saves a draft · ctrl+r needs it resolved",
        )
    return (
        "ctrl+s saves a draft · ctrl+r completes the review (→ reviewed)",
        "ctrl+s saves a draft · ctrl+r completes it",
    )


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
