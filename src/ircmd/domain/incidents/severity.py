"""The severity matrix: eight factors scored 0–3 and the rule that turns them into a level.

The seed asks severity to "drive response, not panic" and to consider blast radius,
reversibility, customer exposure, data sensitivity, autonomy, recurrence, uncertainty and
regulatory context. Each factor is scored 0 (none) to 3 (worst); every score has a one-line
meaning (:data:`FACTORS`) so two commanders score the same way.

The rule (:func:`assess`) is a set of *floors*, checked from the most severe down; the level
is the highest floor any rule reaches, and every rule that fired is reported in words:

Critical when any of
  * autonomy = 3 — an uncontrolled autonomous action (the AI acted and nothing stopped it);
  * regulatory context = 3 — a regulated high-risk system or decision is affected;
  * blast radius = 3 with customer exposure ≥ 2 or data sensitivity ≥ 2 — broad harm;
  * data sensitivity = 3 with customer exposure ≥ 2 — major exposure of regulated or
    confidential data outside the company.
High when any of
  * data sensitivity ≥ 2 with customer exposure ≥ 2 — sensitive data exposed to customers;
  * customer exposure ≥ 2 with reversibility ≥ 2 — customer harm that is hard to undo;
  * autonomy ≥ 2 with reversibility ≥ 2 — the AI changed records that are hard to restore;
  * recurrence ≥ 2 with blast radius ≥ 1 — a repeated failure (a silent pattern);
  * regulatory context = 2 — reporting or a regulator's interest is likely;
  * the sum of all scores ≥ 14 — many moderate factors together.
Medium when any of
  * customer exposure ≥ 1 — anything a customer saw or could see;
  * any single factor ≥ 2;
  * the sum of all scores ≥ 6.
Low otherwise (internal-only, no sensitive data, easy to correct).

Uncertainty = 3 ("we do not know what happened yet") raises the result by one level, but
never above High on its own: treat the unknown as worse until evidence says otherwise.

The matrix drives the incident's level only once all eight factors are scored; until then
the level set at declaration (or by hand) stands, so scoring one factor at a time never
drops a declared High to Low halfway through. A commander can override the computed level,
only with a reason
(:class:`SeverityAssessment.override_level`); the computed level and its reasons stay
visible next to the override.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ircmd.domain.enums import parse_enum
from ircmd.domain.incidents.incident import DomainError, Severity


class Factor(StrEnum):
    BLAST_RADIUS = "blast_radius"
    REVERSIBILITY = "reversibility"
    CUSTOMER_EXPOSURE = "customer_exposure"
    DATA_SENSITIVITY = "data_sensitivity"
    AUTONOMY = "autonomy"
    RECURRENCE = "recurrence"
    UNCERTAINTY = "uncertainty"
    REGULATORY = "regulatory"

    @property
    def label(self) -> str:
        return FACTORS[self].label

    @classmethod
    def parse(cls, value: str) -> Factor:
        aliases = {
            "blast": "blast_radius",
            "radius": "blast_radius",
            "reversible": "reversibility",
            "customer": "customer_exposure",
            "exposure": "customer_exposure",
            "data": "data_sensitivity",
            "sensitivity": "data_sensitivity",
            "regulation": "regulatory",
            "regulatory_context": "regulatory",
            "autonomy_of_the_ai": "autonomy",
        }
        return parse_enum(cls, value, "severity factor", aliases=aliases, error=DomainError)


@dataclass(frozen=True)
class FactorSpec:
    label: str
    meanings: tuple[str, str, str, str]
    """What a score of 0, 1, 2 and 3 means, one line each."""


FACTORS: dict[Factor, FactorSpec] = {
    Factor.BLAST_RADIUS: FactorSpec(
        "blast radius",
        (
            "nothing affected beyond one output that was caught",
            "one user, record or ticket affected",
            "a segment: many users or records, one workflow",
            "broad: the whole workflow, system or customer base",
        ),
    ),
    Factor.REVERSIBILITY: FactorSpec(
        "reversibility",
        (
            "nothing to undo",
            "easy to undo: one edit, no one relied on it",
            "costly to undo: records to correct, customers to contact",
            "impossible to undo: money sent, data disclosed, decision acted on",
        ),
    ),
    Factor.CUSTOMER_EXPOSURE: FactorSpec(
        "customer exposure",
        (
            "internal draft only, no one outside saw it",
            "a customer could have seen it; caught before harm",
            "customers saw it and relied on it",
            "customers harmed or publicly visible",
        ),
    ),
    Factor.DATA_SENSITIVITY: FactorSpec(
        "data sensitivity",
        (
            "public or no data involved",
            "internal, low-sensitivity data",
            "customer, employee, financial or confidential data",
            "regulated data (health, payment, legal, children) or secrets",
        ),
    ),
    Factor.AUTONOMY: FactorSpec(
        "autonomy of the AI",
        (
            "AI recommends only; a human decides everything",
            "AI drafts; a human approves each action",
            "AI writes, sends or calls tools; humans sample afterwards",
            "AI acted on its own and nothing stopped it (uncontrolled)",
        ),
    ),
    Factor.RECURRENCE: FactorSpec(
        "recurrence",
        (
            "a one-off",
            "seen before, rarely",
            "repeated failure or a silent pattern over time",
            "ongoing now and not yet stopped",
        ),
    ),
    Factor.UNCERTAINTY: FactorSpec(
        "uncertainty",
        (
            "cause and extent known",
            "cause known, extent being measured",
            "cause unknown, extent partly known",
            "we do not know what happened or how far it went",
        ),
    ),
    Factor.REGULATORY: FactorSpec(
        "regulatory context",
        (
            "no regulatory angle",
            "policy violation, internal only",
            "reporting possible; legal or compliance must look",
            "regulated high-risk system or decision affected; reporting likely",
        ),
    ),
}

MAX_SCORE = 3


def check_score(score: int) -> int:
    if not isinstance(score, int) or isinstance(score, bool) or not 0 <= score <= MAX_SCORE:
        raise DomainError(f"a factor score is 0, 1, 2 or 3, not {score!r}")
    return score


def meaning(factor: Factor, score: int) -> str:
    return FACTORS[factor].meanings[check_score(score)]


@dataclass(frozen=True)
class Verdict:
    """The computed level and why: the decisive reasons first."""

    level: Severity
    reasons: tuple[str, ...]

    @property
    def why(self) -> str:
        return "; ".join(self.reasons)


_LEVELS = [Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL]


def assess(scores: dict[Factor, int]) -> Verdict:
    """Turn factor scores (missing factors count as 0) into a level and its reasons."""
    s = {f: check_score(scores.get(f, 0)) for f in Factor}
    blast = s[Factor.BLAST_RADIUS]
    rev = s[Factor.REVERSIBILITY]
    cust = s[Factor.CUSTOMER_EXPOSURE]
    data = s[Factor.DATA_SENSITIVITY]
    auto = s[Factor.AUTONOMY]
    recur = s[Factor.RECURRENCE]
    unsure = s[Factor.UNCERTAINTY]
    reg = s[Factor.REGULATORY]
    total = sum(s.values())

    rules: list[tuple[Severity, bool, str]] = [
        (Severity.CRITICAL, auto == 3, "uncontrolled autonomous action"),
        (Severity.CRITICAL, reg == 3, "regulated high-risk system impact"),
        (Severity.CRITICAL, blast == 3 and (cust >= 2 or data >= 2), "broad harm"),
        (Severity.CRITICAL, data == 3 and cust >= 2, "major exposure of regulated data"),
        (Severity.HIGH, data >= 2 and cust >= 2, "sensitive data exposed to customers"),
        (Severity.HIGH, cust >= 2 and rev >= 2, "customer harm that is hard to undo"),
        (Severity.HIGH, auto >= 2 and rev >= 2, "AI changed things that are hard to restore"),
        (Severity.HIGH, recur >= 2 and blast >= 1, "repeated failure"),
        (Severity.HIGH, reg == 2, "regulatory reporting possible"),
        (Severity.HIGH, total >= 14, f"many factors together (total {total}/24)"),
        (Severity.MEDIUM, cust >= 1, "customers could see it"),
        (
            Severity.MEDIUM,
            any(v >= 2 for v in s.values()),
            "a factor scored 2 or more: "
            + ", ".join(FACTORS[f].label for f in Factor if s[f] >= 2),
        ),
        (Severity.MEDIUM, total >= 6, f"several factors together (total {total}/24)"),
    ]
    fired = [(lvl, why) for lvl, hit, why in rules if hit]
    level = max((lvl for lvl, _ in fired), key=lambda v: v.rank, default=Severity.LOW)
    reasons = [why for lvl, why in fired if lvl == level]
    if not fired:
        reasons = ["internal-only, no sensitive data, easy to correct"]
    if unsure == 3 and level.rank < Severity.HIGH.rank:
        level = _LEVELS[level.rank + 1]
        reasons.insert(0, "raised one level: we do not yet know what happened")
    return Verdict(level=level, reasons=tuple(reasons))


# -- immediate response (the seed's severity table, as checklists) -----------------------

IMMEDIATE_RESPONSE: dict[Severity, tuple[tuple[str, str], ...]] = {
    Severity.LOW: (
        ("low.log", "Log the issue"),
        ("low.monitor", "Monitor for recurrence"),
        ("low.evals", "Add to evals or backlog"),
    ),
    Severity.MEDIUM: (
        ("medium.triage", "Triage"),
        ("medium.evidence", "Preserve evidence"),
        ("medium.owner", "Notify the workflow owner"),
        ("medium.fix", "Fix before expanding the workflow"),
    ),
    Severity.HIGH: (
        ("high.pause", "Pause the affected workflow"),
        ("high.escalate", "Escalate to a cross-functional incident owner"),
        ("high.root-cause", "Investigate the root cause"),
        ("high.comms", "Prepare communication"),
    ),
    Severity.CRITICAL: (
        ("critical.isolate", "Disable or isolate the system"),
        (
            "critical.activate",
            "Activate executive, legal, security, compliance and communications response",
        ),
        ("critical.evidence", "Preserve evidence under stricter controls"),
    ),
}


def checklist_item(item_id: str) -> tuple[Severity, str]:
    for level, items in IMMEDIATE_RESPONSE.items():
        for iid, text in items:
            if iid == item_id:
                return level, text
    known = ", ".join(i for items in IMMEDIATE_RESPONSE.values() for i, _ in items)
    raise DomainError(f"unknown checklist item {item_id!r}; known: {known}")


# -- the stored assessment ----------------------------------------------------------------


class Tick(BaseModel):
    model_config = ConfigDict(extra="ignore")

    done: bool
    by: str
    at: datetime


class SeverityAssessment(BaseModel):
    """What is stored per incident (doc collection ``severity``, key = incident id)."""

    model_config = ConfigDict(extra="ignore")

    scores: dict[Factor, int] = Field(default_factory=dict)
    override_level: Severity | None = None
    override_reason: str = ""
    checklist: dict[str, Tick] = Field(default_factory=dict)

    @property
    def verdict(self) -> Verdict:
        return assess(self.scores)

    @property
    def complete(self) -> bool:
        """Every factor scored: only then does the matrix drive the incident's level."""
        return all(f in self.scores for f in Factor)

    def applied_level(self, current: Severity) -> Severity:
        """The level the incident should have: the override, else the computed level once
        the matrix is complete, else ``current`` (as declared or last set)."""
        if self.override_level is not None:
            return self.override_level
        return self.verdict.level if self.complete else current

    @property
    def scored(self) -> bool:
        return bool(self.scores)

    def score(self, factor: Factor) -> int | None:
        return self.scores.get(factor)

    def ticked(self, item_id: str) -> bool:
        tick = self.checklist.get(item_id)
        return bool(tick and tick.done)

    def to_doc(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    @classmethod
    def from_doc(cls, doc: dict[str, Any] | None) -> SeverityAssessment:
        if not doc:
            return cls()
        return cls.model_validate(doc)
