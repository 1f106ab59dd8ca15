"""The regulatory clock for serious incidents of high-risk AI systems (EU AI Act, Art. 73).

Regulation (EU) 2024/1689, Article 73 ("Reporting of serious incidents"):

- (2) the report "shall be made immediately after the provider has established a causal
  link between the AI system and the serious incident or the reasonable likelihood of such
  a link, and, in any event, not later than 15 days after the provider or, where
  applicable, the deployer, becomes aware of the serious incident."
- (3) "in the event of a widespread infringement or a serious incident as defined in
  Article 3, point (49)(b), the report ... shall be provided immediately, and not later
  than two days after the provider or, where applicable, the deployer becomes aware of
  that incident."  (Art. 3(49)(b): "a serious and irreversible disruption of the
  management or operation of critical infrastructure".)
- (4) "in the event of the death of a person, the report shall be provided immediately
  after the provider or the deployer has established, or as soon as it suspects, a causal
  relationship ..., but not later than 10 days after the date on which the provider or,
  where applicable, the deployer becomes aware of the serious incident."
- (5) an initial report that is incomplete may be submitted, followed by a complete one.
- (6) the provider "shall not perform any investigation which involves altering the AI
  system concerned in a way which may affect any subsequent evaluation of the causes of
  the incident, prior to informing the competent authorities of such action."

Harm categories are Art. 3(49)(a)-(d). Counting the days follows Regulation (EEC,
Euratom) No 1182/71, Art. 3(1) and 3(2)(b): the day on which the provider became aware
does not count, and the period ends with the last hour of its last day — here in the
Member State's (main) time zone. The extension of Art. 3(4) (a period ending on a
Saturday, Sunday or public holiday runs to the next working day) is NOT applied: public
holidays differ per Member State, so the clock shows the earlier, safe deadline. Every
deadline is "not later than": the Act asks for the report immediately.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ircmd.domain.enums import enum_key, parse_enum
from ircmd.domain.incidents.incident import DomainError, Incident
from ircmd.domain.incidents.timeline import utc

REGULATORY = "regulatory"
"""Document collection; key: incident id."""


class HarmCategory(StrEnum):
    """Art. 3(49): what the serious incident led to, directly or indirectly."""

    HEALTH = "health"  # (a) death of a person, or serious harm to a person's health
    CRITICAL_INFRASTRUCTURE = "critical_infrastructure"  # (b) serious and irreversible disruption
    FUNDAMENTAL_RIGHTS = "fundamental_rights"  # (c) infringement of Union-law obligations
    PROPERTY_OR_ENVIRONMENT = "property_or_environment"  # (d) serious harm

    @property
    def label(self) -> str:
        return _HARM_LABEL[self]

    @classmethod
    def parse(cls, value: str) -> tuple[HarmCategory, bool]:
        """The category, and whether the value said a person died (``death``)."""
        aliases = {
            "death": "health",
            "health": "health",
            "critical_infrastructure": "critical_infrastructure",
            "infrastructure": "critical_infrastructure",
            "fundamental_rights": "fundamental_rights",
            "rights": "fundamental_rights",
            "property": "property_or_environment",
            "environment": "property_or_environment",
            "property_environment": "property_or_environment",
            "property_or_environment": "property_or_environment",
        }
        allowed = (
            "one of: death, health, critical-infrastructure, fundamental-rights, "
            "property-environment"
        )
        category = parse_enum(
            cls, value, "harm category", aliases=aliases, allowed=allowed, error=DomainError
        )
        return category, enum_key(value) == "death"


_HARM_LABEL = {
    HarmCategory.HEALTH: "death or serious harm to health (Art. 3(49)(a))",
    HarmCategory.CRITICAL_INFRASTRUCTURE: (
        "serious and irreversible disruption of critical infrastructure (Art. 3(49)(b))"
    ),
    HarmCategory.FUNDAMENTAL_RIGHTS: (
        "infringement of fundamental-rights obligations (Art. 3(49)(c))"
    ),
    HarmCategory.PROPERTY_OR_ENVIRONMENT: (
        "serious harm to property or the environment (Art. 3(49)(d))"
    ),
}

# EU Member States (ISO 3166-1 alpha-2, Greece also as EL) and the time zone of the capital.
MEMBER_STATES: dict[str, tuple[str, str]] = {
    "AT": ("Austria", "Europe/Vienna"),
    "BE": ("Belgium", "Europe/Brussels"),
    "BG": ("Bulgaria", "Europe/Sofia"),
    "HR": ("Croatia", "Europe/Zagreb"),
    "CY": ("Cyprus", "Asia/Nicosia"),
    "CZ": ("Czechia", "Europe/Prague"),
    "DK": ("Denmark", "Europe/Copenhagen"),
    "EE": ("Estonia", "Europe/Tallinn"),
    "FI": ("Finland", "Europe/Helsinki"),
    "FR": ("France", "Europe/Paris"),
    "DE": ("Germany", "Europe/Berlin"),
    "GR": ("Greece", "Europe/Athens"),
    "HU": ("Hungary", "Europe/Budapest"),
    "IE": ("Ireland", "Europe/Dublin"),
    "IT": ("Italy", "Europe/Rome"),
    "LV": ("Latvia", "Europe/Riga"),
    "LT": ("Lithuania", "Europe/Vilnius"),
    "LU": ("Luxembourg", "Europe/Luxembourg"),
    "MT": ("Malta", "Europe/Malta"),
    "NL": ("Netherlands", "Europe/Amsterdam"),
    "PL": ("Poland", "Europe/Warsaw"),
    "PT": ("Portugal", "Europe/Lisbon"),
    "RO": ("Romania", "Europe/Bucharest"),
    "SK": ("Slovakia", "Europe/Bratislava"),
    "SI": ("Slovenia", "Europe/Ljubljana"),
    "ES": ("Spain", "Europe/Madrid"),
    "SE": ("Sweden", "Europe/Stockholm"),
}


def parse_member_state(value: str) -> str:
    code = value.strip().upper()
    code = {"EL": "GR", "UK": ""}.get(code, code)
    if code in MEMBER_STATES:
        return code
    for c, (name, _tz) in MEMBER_STATES.items():
        if name.lower() == value.strip().lower():
            return c
    raise DomainError(
        f"unknown EU Member State {value!r}; use a two-letter code such as DE, FR, NL"
    )


def member_state_zone(code: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(MEMBER_STATES[code][1])
    except (KeyError, ZoneInfoNotFoundError):
        return None


class ReportStage(StrEnum):
    NONE = "none"
    INITIAL = "initial"
    COMPLETE = "complete"


class RegulatoryFlag(BaseModel):
    """An incident flagged as a potential serious incident of a high-risk AI system."""

    model_config = ConfigDict(extra="forbid")

    incident_id: str
    aware_at: datetime
    causal_link_at: datetime | None = None
    harm: HarmCategory
    death: bool = False
    widespread: bool = False
    member_state: str
    persons_affected: int | None = Field(default=None, ge=0)
    provider: str = ""
    system: str = ""
    system_version: str = ""
    reported: ReportStage = ReportStage.NONE
    reported_at: datetime | None = None
    timezone: str | None = None
    """IANA zone for counting days when the Member State has several (Atlantic/Azores...);
    default: the capital's."""
    flagged_by: str = ""
    flagged_at: datetime | None = None

    @field_validator("aware_at", "causal_link_at", "reported_at", "flagged_at")
    @classmethod
    def _utc(cls, v: datetime | None) -> datetime | None:
        return utc(v) if v is not None else None

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str | None) -> str | None:
        if v is None or not v.strip():
            return None
        try:
            ZoneInfo(v.strip())
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {v!r} (use an IANA name like Europe/Lisbon)"
            ) from None
        return v.strip()

    @field_validator("member_state")
    @classmethod
    def _ms(cls, v: str) -> str:
        try:
            return parse_member_state(v)
        except DomainError as exc:
            raise ValueError(str(exc)) from None

    def to_doc(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> RegulatoryFlag:
        return cls.model_validate(doc)


def reporting_period(flag: RegulatoryFlag) -> tuple[int, str, str]:
    """``(days, paragraph, why)``: the shortest period that applies."""
    if flag.widespread:
        return 2, "Art. 73(3)", "widespread infringement"
    if flag.harm == HarmCategory.CRITICAL_INFRASTRUCTURE:
        return 2, "Art. 73(3)", "serious and irreversible critical-infrastructure disruption"
    if flag.death:
        return 10, "Art. 73(4)", "death of a person"
    return 15, "Art. 73(2)", "serious incident"


def add_days_end_of_day(aware_at: datetime, days: int, zone: ZoneInfo | None) -> datetime:
    """The end of the ``days``-th day after the day of ``aware_at`` (local to ``zone``),
    per Reg. 1182/71 Art. 3(1)/(2)(b); returned in UTC. Month ends and DST are handled by
    calendar arithmetic on the local date."""
    tz = zone or UTC
    local = utc(aware_at).astimezone(tz)
    last_day = local.date() + timedelta(days=days)
    next_midnight = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=tz)
    # Resolve the wall time (fold-safe) then step back one microsecond: 23:59:59.999999.
    return next_midnight.astimezone(UTC) - timedelta(microseconds=1)


def flag_zone(flag: RegulatoryFlag) -> ZoneInfo | None:
    if flag.timezone:
        try:
            return ZoneInfo(flag.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return member_state_zone(flag.member_state)


def deadline(flag: RegulatoryFlag) -> datetime:
    days, _, _ = reporting_period(flag)
    return add_days_end_of_day(flag.aware_at, days, flag_zone(flag))


def is_due(flag: RegulatoryFlag) -> bool:
    """The complete report has not been submitted yet."""
    return flag.reported != ReportStage.COMPLETE


def format_span(seconds: float) -> str:
    s = int(abs(seconds))
    d, rem = divmod(s, 86400)
    h, rem = divmod(rem, 3600)
    m = rem // 60
    if d:
        return f"{d}d {h:02d}h"
    if h:
        return f"{h}h {m:02d}m"
    return f"{m}m"


def countdown_label(flag: RegulatoryFlag, now: datetime) -> str:
    _days, para, _why = reporting_period(flag)
    due = deadline(flag)
    if flag.reported == ReportStage.COMPLETE:
        return f"{para} report complete"
    left = (due - utc(now)).total_seconds()
    stage = " (initial sent)" if flag.reported == ReportStage.INITIAL else ""
    if left < 0:
        return f"{para} report OVERDUE by {format_span(left)}{stage}"
    return f"{para} report due in {format_span(left)}{stage}"


def regulatory_deadline(
    incident: Incident, docs: dict[str, dict[str, Any]] | None, now: datetime
) -> tuple[str, datetime] | None:
    """War-room header provider: ``(label, due_at)`` while a flagged incident's report is
    due, else None. ``docs`` is the ``regulatory`` collection (or just this incident's doc
    under its id)."""
    doc = (docs or {}).get(incident.id)
    if not doc:
        return None
    try:
        flag = RegulatoryFlag.from_doc(doc)
    except ValueError:
        return ("Art. 73 flag unreadable", utc(now))
    if not is_due(flag):
        return None
    return countdown_label(flag, now), deadline(flag)


def alteration_warning(flag: RegulatoryFlag | None, now: datetime, change: str = "") -> str | None:
    """A warning to show before a containment or remediation change alters the AI system
    while the report is still due (Art. 73(6)); None when nothing is due."""
    if flag is None or not is_due(flag):
        return None
    label = countdown_label(flag, now)
    what = f"{change}: " if change else ""
    return (
        f"{what}this may alter the AI system of a potential serious incident ({label}). "
        f"Art. 73(6): do not alter it in a way that may affect the evaluation of the causes "
        f"before informing the {flag.member_state} market surveillance authority; "
        f"preserve evidence first."
    )
