"""The timeline's ``/`` filter: ``kind:decision,note @sam refund`` style queries.

* ``kind:K1,K2`` (or ``k:``) keeps events of those kinds; a kind may be a prefix
  (``kind:contain`` matches every containment event);
* ``@who`` keeps events by authors containing ``who``;
* every other word must appear (case-insensitive) in the event's text, kind or author;
* a word starting with ``-`` must *not* appear.
"""

from __future__ import annotations

from dataclasses import dataclass

from ircmd.domain.incidents.incident import DomainError
from ircmd.domain.incidents.timeline import EventKind, TimelineEvent


@dataclass(frozen=True)
class EventFilter:
    kinds: frozenset[EventKind] = frozenset()
    authors: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    not_words: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.kinds or self.authors or self.words or self.not_words)

    def matches(self, event: TimelineEvent) -> bool:
        if self.kinds and event.kind not in self.kinds:
            return False
        author = event.author.lower()
        if self.authors and not any(a in author for a in self.authors):
            return False
        if self.words or self.not_words:
            hay = f"{event.text}\n{event.kind.value}\n{event.kind.label}\n{author}".lower()
            if not all(w in hay for w in self.words):
                return False
            if any(w in hay for w in self.not_words):
                return False
        return True

    def apply(self, events: list[TimelineEvent]) -> list[TimelineEvent]:
        return events if self.empty else [e for e in events if self.matches(e)]


# The short labels the timeline's rows show (``comms``, ``contain?``): filter names too.
KIND_LABELS: dict[str, EventKind] = {
    "status": EventKind.STATUS_CHANGE,
    "severity": EventKind.SEVERITY_CHANGE,
    "class": EventKind.CLASSIFICATION,
    "role": EventKind.ROLE_CHANGE,
    "contain?": EventKind.CONTAINMENT_REQUESTED,
    "contained": EventKind.CONTAINMENT_CONFIRMED,
    "contain✖": EventKind.CONTAINMENT_FAILED,
    "drift": EventKind.CONTAINMENT_DRIFT,
    "drift✔": EventKind.CONTAINMENT_DRIFT_CLEARED,
    "evidence": EventKind.EVIDENCE_PINNED,
    "comms": EventKind.COMMUNICATION,
}


def kinds_named(part: str) -> set[EventKind]:
    """Kinds a filter word names: a row label (``comms``) or a kind name or its prefix."""
    if part in KIND_LABELS:
        return {KIND_LABELS[part]}
    part = part.replace("-", "_").replace(" ", "_")
    return {k for k in EventKind if k.value.startswith(part)}


def kind_names() -> str:
    """Every kind as the rows label it, for the error (complete, never cut)."""
    short = {kind: label for label, kind in KIND_LABELS.items()}
    return ", ".join(short.get(k, k.value) for k in EventKind)


def parse_filter(text: str) -> EventFilter:
    kinds: set[EventKind] = set()
    authors: list[str] = []
    words: list[str] = []
    not_words: list[str] = []
    for word in text.split():
        low = word.lower()
        key, sep, value = low.partition(":")
        if sep and key in ("kind", "k"):
            for part in filter(None, value.split(",")):
                found = kinds_named(part)
                if not found:
                    raise DomainError(f"unknown event kind {part!r}; kinds: {kind_names()}")
                kinds |= found
        elif low.startswith("@") and len(low) > 1:
            authors.append(low[1:])
        elif low.startswith("-") and len(low) > 1:
            not_words.append(low[1:])
        else:
            words.append(low)
    return EventFilter(frozenset(kinds), tuple(authors), tuple(words), tuple(not_words))
