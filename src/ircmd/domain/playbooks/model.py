"""The shape of a playbook file (``<config dir>/playbooks/NAME.toml``), validated strictly.

A playbook describes one kind of AI incident: how it is recognised (``[match]``), the
signals to look for, triage questions, containment steps, evidence to preserve,
eradication/recovery steps, the communication plan and review questions. Its steps become
tasks when it is applied. A containment step names a board control, either exactly
(``control = "support-refunds/review"``) or by kind (``control_kind =
"force_human_review"``, resolved on the incident's workflow); such a task is done only when
that control's state is confirmed by its backend.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ircmd.domain.incidents.incident import Classification, DomainError, Severity
from ircmd.domain.incidents.taxonomy import normalise_tag
from ircmd.domain.incidents.workflow import ControlKind

NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
REGIMES = ("art73", "gdpr", "nis2", "dora")
Regime = Literal["art73", "gdpr", "nis2", "dora"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PlaybookMatch(_Strict):
    """When the playbook applies on declare: any one criterion is enough."""

    workflows: list[str] = Field(default_factory=list)
    classifications: list[Classification] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    """OWASP LLM Top 10 (``LLM01``) or MITRE ATLAS (``AML.T0051``) ids, or free tags."""
    signal_labels: dict[str, str] = Field(default_factory=dict)
    """``label = "value"`` of the declaring signal (``"*"``: the label is present)."""

    @field_validator("tags")
    @classmethod
    def _tags(cls, tags: list[str]) -> list[str]:
        try:
            return [normalise_tag(t) for t in tags]
        except DomainError as exc:
            raise ValueError(str(exc)) from None

    @property
    def empty(self) -> bool:
        return not (self.workflows or self.classifications or self.tags or self.signal_labels)


class PlaybookStep(_Strict):
    """One step; it becomes one task (``T-n``) when the playbook is applied."""

    id: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.-]+$")
    title: str = Field(min_length=1, max_length=200)
    owner: str = ""
    """A name or a role (``incident_lead``, ``comms``…); "" for nobody yet."""
    due: str = ""
    """Relative to the moment of applying: ``+30m``, ``+2h``, ``+1d`` ("" for none)."""
    control: str = Field(default="", pattern=r"^([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)?$")
    control_kind: ControlKind | None = None
    state: Literal["on", "off"] = "on"
    """The control state the backend must confirm for the step to be done."""

    @field_validator("due")
    @classmethod
    def _due(cls, due: str) -> str:
        from ircmd.domain.incidents.tasks import _RELATIVE

        if due and not _RELATIVE.match(due.strip()):
            raise ValueError(f"not a relative due time: {due!r} (use +30m, +2h or +1d)")
        return due.strip()

    @model_validator(mode="after")
    def _one_control(self) -> PlaybookStep:
        if self.control and self.control_kind is not None:
            raise ValueError("name either control or control_kind, not both")
        return self

    @property
    def control_bound(self) -> bool:
        return bool(self.control or self.control_kind)


class CommsStep(_Strict):
    """Who is told, with which template (``[[communication]]``)."""

    id: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.-]+$")
    audience: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    template: str = ""
    """Pre-approved wording the update starts from ("" for the audience's own template)."""
    due: str = ""

    @field_validator("due")
    @classmethod
    def _due(cls, due: str) -> str:
        return PlaybookStep._due(due)


class Playbook(_Strict):
    name: str = Field(min_length=1, max_length=60, pattern=NAME_PATTERN)
    title: str = Field(min_length=1, max_length=120)
    description: str = ""
    trigger: str = ""
    """The seed's trigger this playbook answers, in its words."""
    match: PlaybookMatch = Field(default_factory=PlaybookMatch)
    regimes: list[Regime] = Field(default_factory=list)
    """Regulatory clocks to consider (suggested, never started by the playbook)."""
    detection: list[str] = Field(default_factory=list)
    triage: list[str] = Field(default_factory=list)
    containment: list[PlaybookStep] = Field(default_factory=list)
    evidence: list[PlaybookStep] = Field(default_factory=list)
    recovery: list[PlaybookStep] = Field(default_factory=list)
    communication: list[CommsStep] = Field(default_factory=list)
    review: list[str] = Field(default_factory=list)
    min_severity: Severity | None = None
    """Match on declare only at this severity or above (None: any)."""

    @model_validator(mode="after")
    def _unique_steps(self) -> Playbook:
        seen: set[str] = set()
        for step in self.steps():
            if step.id in seen:
                raise ValueError(f"step id {step.id!r} is used twice")
            seen.add(step.id)
        for step in [*self.evidence, *self.recovery]:
            if step.control_bound:
                raise ValueError(f"step {step.id!r}: only containment steps name a control")
        return self

    def steps(self) -> list[PlaybookStep | CommsStep]:
        return [*self.containment, *self.evidence, *self.recovery, *self.communication]

    def to_json(self) -> dict[str, object]:
        return self.model_dump(mode="json")
