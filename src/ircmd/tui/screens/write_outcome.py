"""What a console says when a typed line's write fails (issue 12).

A write that failed before its COMMIT was sent saved nothing: the console says so and how to
retry. When the connection broke while committing (``StoreOutcomeUnknown``, e.g. PostgreSQL
cut mid-commit), nobody knows yet: the console says it *may not have been saved* and that it
is checking, looks the line up by its client id, then says which it was. Either way the line
stays retryable: a retry reuses its client id and can never store a second copy.
"""

from __future__ import annotations

from dataclasses import dataclass

from ircmd.domain.text import one_line
from ircmd.service.incidents.retry import TypedLine
from ircmd.service.incidents.service import IncidentService
from ircmd.store.base import StoreOutcomeUnknown

RETRY = ": then ↑ retries"


@dataclass(frozen=True)
class Checked:
    """The answer after a write's failure: ``saved`` True (found by its client id, on
    incident ``where``), False (not stored) or None (the store could not be read to check)."""

    saved: bool | None
    where: str | None
    text: str


def failed_text(exc: BaseException, retry: str = RETRY) -> str:
    """The first line after a failure: ``nothing saved`` only when that is known."""
    why = one_line(str(exc) or type(exc).__name__)
    if isinstance(exc, StoreOutcomeUnknown):
        return f"{why} (may not have been saved; checking…)"
    return f"{why} (nothing saved; {retry})"


def outcome_unknown(exc: BaseException, line: TypedLine | None) -> bool:
    """Worth checking: the commit's outcome is unknown and the line has a client id."""
    return isinstance(exc, StoreOutcomeUnknown) and line is not None


def check_saved(
    svc: IncidentService,
    line: TypedLine,
    incident_id: str | None,
    what: str,
    retry: str = RETRY,
) -> Checked:
    """Look the line up by its client id after an unknown commit outcome; say which it was."""
    try:
        where = svc.saved_where(line, incident_id)
    except Exception as exc:  # the store still cannot be read
        why = one_line(str(exc) or type(exc).__name__, 160)
        return Checked(
            None,
            None,
            f"{what} may not have been saved; could not check ({why}); {retry} "
            "(a retry never saves it twice)",
        )
    if where is not None:
        return Checked(True, where, f"{what}: saved after all (found by its client id)")
    return Checked(False, None, f"{what} was not saved (checked by its client id); {retry}")
