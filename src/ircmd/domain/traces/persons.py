"""Persons affected, suggested from the blast radius (EU AI Act Art. 73 and the other clocks).

A recorded blast radius (a ``finding`` event whose data is a
:meth:`~ircmd.domain.traces.blast.SimilarResult.to_dict`) names the distinct users and
conversations of its matching traces. :func:`suggest_persons_affected` joins the findings of
an incident into one count and says how it was counted:

* distinct user ids (``user.id`` / ``enduser.id``) when any finding saw one: one person each;
* otherwise distinct conversation ids (``gen_ai.conversation.id`` / ``session.id``): at least
  one person each, so the count is a lower bound;
* a finding stores at most a capped list of ids; when its own count is larger, the count is
  that larger number and marked ``lower_bound``.

It is a suggestion: the person flagging the incident sets the number.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

USER_ATTRIBUTES = ("user.id", "enduser.id")
CONVERSATION_ATTRIBUTES = ("gen_ai.conversation.id", "session.id")

Basis = Literal["users", "conversations"]


@dataclass(frozen=True)
class PersonsAffected:
    """A suggested number of persons affected and how it was counted."""

    count: int
    basis: Basis
    attribute: str
    """The span attributes counted, e.g. ``"user.id / enduser.id"``."""
    users: int
    conversations: int
    traces: int
    """Matching traces over the findings (distinct where their ids are stored)."""
    traces_scanned: int
    """Traces the blast radius looked at (the largest scan of the findings)."""
    findings: int
    lower_bound: bool
    """True when the true number can only be larger (conversations, or capped id lists)."""
    queries: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """One line: the count, what was counted, over how many traces."""
        n = self.count
        what = "person" if n == 1 else "persons"
        at_least = "at least " if self.lower_bound else ""
        unit = "user" if self.basis == "users" else "conversation"
        f = self.findings
        return (
            f"{at_least}{n} {what}: distinct {unit} ids ({self.attribute}) in {f} blast-radius "
            f"finding{'s' if f != 1 else ''}; {self.traces} matching of "
            f"{self.traces_scanned} trace{'s' if self.traces_scanned != 1 else ''} scanned"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "basis": self.basis,
            "attribute": self.attribute,
            "users": self.users,
            "conversations": self.conversations,
            "traces": self.traces,
            "traces_scanned": self.traces_scanned,
            "findings": self.findings,
            "lower_bound": self.lower_bound,
            "queries": list(self.queries),
            "description": self.describe(),
        }


def is_blast_radius(data: Mapping[str, Any]) -> bool:
    """Whether a finding's data is a recorded blast radius (find similar)."""
    return isinstance(data.get("query"), Mapping) and "user_ids" in data


def _ids(data: Mapping[str, Any], key: str) -> list[str]:
    got = data.get(key)
    if not isinstance(got, list):
        return []
    return [str(x) for x in got if isinstance(x, str | int) and str(x)]


def _int(data: Mapping[str, Any], key: str) -> int:
    v = data.get(key)
    return v if isinstance(v, int) and not isinstance(v, bool) and v >= 0 else 0


def suggest_persons_affected(findings: Iterable[Mapping[str, Any]]) -> PersonsAffected | None:
    """The suggestion over the data of an incident's findings (others are skipped), or None
    when no blast radius named a user or a conversation."""
    users: dict[str, None] = {}
    convs: dict[str, None] = {}
    traces: dict[str, None] = {}
    user_floor = conv_floor = trace_floor = scanned = n = 0
    queries: list[str] = []
    for data in findings:
        if not is_blast_radius(data):
            continue
        n += 1
        u, c, t = _ids(data, "user_ids"), _ids(data, "conversation_ids"), _ids(data, "trace_ids")
        users.update(dict.fromkeys(u))
        convs.update(dict.fromkeys(c))
        traces.update(dict.fromkeys(t))
        nu, nc, nt = _int(data, "users"), _int(data, "conversations"), _int(data, "traces")
        user_floor, conv_floor = max(user_floor, nu), max(conv_floor, nc)
        trace_floor = max(trace_floor, nt)
        scanned = max(scanned, _int(data, "scanned_traces"))
        desc = data.get("description")
        if isinstance(desc, str) and desc and desc not in queries:
            queries.append(desc)
    n_users, n_convs = max(len(users), user_floor), max(len(convs), conv_floor)
    n_traces = max(len(traces), trace_floor)
    if n_users:
        return PersonsAffected(
            n_users,
            "users",
            " / ".join(USER_ATTRIBUTES),
            n_users,
            n_convs,
            n_traces,
            max(scanned, n_traces),
            n,
            n_users > len(users),
            queries,
        )
    if n_convs:
        return PersonsAffected(
            n_convs,
            "conversations",
            " / ".join(CONVERSATION_ATTRIBUTES),
            0,
            n_convs,
            n_traces,
            max(scanned, n_traces),
            n,
            True,
            queries,
        )
    return None
