"""The AI workflow inventory: what runs in production, who owns it, how risky, how to stop it."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator


class RiskTier(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class DecisionArea(StrEnum):
    """The seed's practical decision framework: each area is low- or higher-risk."""

    CUSTOMER_EXPOSURE = "customer_exposure"
    DATA_SENSITIVITY = "data_sensitivity"
    AUTONOMY = "autonomy"
    REVERSIBILITY = "reversibility"
    BUSINESS_IMPACT = "business_impact"
    OBSERVABILITY = "observability"
    RECURRENCE = "recurrence"


REQUIRED_CAPABILITY: dict[DecisionArea, str] = {
    DecisionArea.CUSTOMER_EXPOSURE: "Escalation path, communication plan, review queue",
    DecisionArea.DATA_SENSITIVITY: "Evidence controls, redaction, access limits, retention policy",
    DecisionArea.AUTONOMY: "Kill switch, approval gate, rollback, tool-level logging",
    DecisionArea.REVERSIBILITY: "Strict containment, human approval, recovery plan",
    DecisionArea.BUSINESS_IMPACT: "Severity model, executive escalation, post-incident review",
    DecisionArea.OBSERVABILITY: "Trace IDs, logs, version records, incident evidence package",
    DecisionArea.RECURRENCE: "Eval update, monitoring alert, root-cause remediation",
}


class ControlKind(StrEnum):
    PAUSE_WORKFLOW = "pause_workflow"
    FORCE_HUMAN_REVIEW = "force_human_review"
    DISABLE_TOOL = "disable_tool"
    BLOCK_SOURCE = "block_source"
    ROLLBACK_PROMPT = "rollback_prompt"
    NARROW_PERMISSIONS = "narrow_permissions"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class ControlSpec(BaseModel):
    """One containment control a workflow offers (``[[workflows.controls]]``)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    kind: ControlKind
    controller: str = "local"
    flag: str | None = None
    critical: bool = False
    description: str = ""
    tool: str | None = None
    source: str | None = None
    prompt: str | None = None
    version: str | None = None
    scope: str | None = None


class Workflow(BaseModel):
    """One production AI workflow (``[[workflows]]``)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    name: str = ""
    owner: str = ""
    risk_tier: RiskTier = RiskTier.MEDIUM
    description: str = ""
    higher_risk: list[DecisionArea] = Field(default_factory=list)
    controls: list[ControlSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_controls(self) -> Workflow:
        seen: set[str] = set()
        for c in self.controls:
            if c.id in seen:
                raise ValueError(f"control id {c.id!r} is used twice in workflow {self.id!r}")
            seen.add(c.id)
        return self

    def control(self, control_id: str) -> ControlSpec | None:
        return next((c for c in self.controls if c.id == control_id), None)

    def required_capabilities(self) -> list[str]:
        return [REQUIRED_CAPABILITY[a] for a in self.higher_risk]

    @property
    def needs_playbook(self) -> bool:
        """The seed's rule: customers, money, sensitive data, systems of record ... need one."""
        return bool(self.higher_risk) or self.risk_tier in (RiskTier.HIGH, RiskTier.CRITICAL)
