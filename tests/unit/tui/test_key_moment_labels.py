"""The review's key moments name each event's kind whole: two kinds never read the same."""

from __future__ import annotations

from datetime import UTC, datetime

from ircmd.domain.incidents.timeline import EventKind, TimelineEvent
from ircmd.tui.widgets.incidents.key_moments import KIND_WIDTH, kind_label, moment_label


def _event(kind: EventKind) -> TimelineEvent:
    return TimelineEvent(
        incident_id="INC-0001", seq=1, kind=kind, at=datetime(2026, 3, 1, tzinfo=UTC), author="a"
    )


def test_every_kind_fits_whole_and_no_two_kinds_share_a_label() -> None:
    labels = {kind: kind_label(_event(kind)) for kind in EventKind}
    assert all(len(label) <= KIND_WIDTH for label in labels.values()), labels
    assert len(set(labels.values())) == len(labels), labels
    for kind, label in labels.items():  # short kinds keep their full label
        if len(kind.label) <= KIND_WIDTH:
            assert label == kind.label


def test_containment_requested_and_confirmed_differ_in_the_row() -> None:
    asked = moment_label(_event(EventKind.CONTAINMENT_REQUESTED)).plain
    done = moment_label(_event(EventKind.CONTAINMENT_CONFIRMED)).plain
    assert "contain?" in asked and "contained" in done
