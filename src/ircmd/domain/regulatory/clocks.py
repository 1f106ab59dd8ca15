"""Several regulatory clocks per incident, beside EU AI Act Art. 73 (``art73``).

A clock is flagged by hand (or suggested by a playbook) with the time of awareness and the
Member State; each regime's stages are computed from it (``gdpr``, ``nis2``, ``dora``).
Hour periods are exact durations; "one month" periods are calendar months in the Member
State's time zone, clamped to the month's last day (31 January + 1 month = 28/29 February).
All of it is a DRAFT to check with counsel: the law, not this code, decides.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from ircmd.domain.incidents.incident import DomainError
from ircmd.domain.incidents.timeline import utc
from ircmd.domain.regulatory.art73 import member_state_zone, parse_member_state

REGIMES = ("art73", "gdpr", "nis2", "dora")


@dataclass(frozen=True)
class Stage:
    regime: str
    stage: str
    due_at: datetime | None
    """None: no fixed deadline ("without undue delay"), flagged only."""
    to: str
    basis: str

    def to_json(self) -> dict[str, Any]:
        return {
            "regime": self.regime,
            "stage": self.stage,
            "due_at": utc(self.due_at).isoformat().replace("+00:00", "Z") if self.due_at else None,
            "to": self.to,
            "basis": self.basis,
        }


class ClockFlag(BaseModel):
    """One flagged regime of an incident (stored under the ``regulatory_clocks`` doc)."""

    model_config = ConfigDict(extra="forbid")

    regime: str
    aware_at: datetime
    member_state: str = ""
    classified_at: datetime | None = None
    """DORA: when the incident was classified as major (default: awareness)."""
    data_subjects: bool = False
    """GDPR: a high risk to data subjects, so Art. 34 notice is flagged."""


def parse_regime(value: str) -> str:
    v = value.strip().lower().replace("-", "").replace(".", "")
    aliases = {"aiact": "art73", "art73": "art73", "gdpr": "gdpr", "nis2": "nis2", "dora": "dora"}
    if v not in aliases:
        raise DomainError(f"unknown regime {value!r}; regimes: {', '.join(REGIMES)}")
    return aliases[v]


def add_month(at: datetime, zone: ZoneInfo | None) -> datetime:
    """One calendar month later in ``zone`` (the same wall time, clamped to the month end)."""
    local = utc(at).astimezone(zone) if zone else utc(at)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    day = min(local.day, calendar.monthrange(year, month)[1])
    return utc(local.replace(year=year, month=month, day=day))


def _zone(flag: ClockFlag) -> ZoneInfo | None:
    return member_state_zone(parse_member_state(flag.member_state)) if flag.member_state else None


def stages(flag: ClockFlag) -> list[Stage]:
    from datetime import timedelta

    aware = utc(flag.aware_at)
    zone = _zone(flag)
    if flag.regime == "gdpr":
        out = [
            Stage(
                "gdpr",
                "art33-supervisory-authority",
                aware + timedelta(hours=72),
                "supervisory authority",
                "GDPR Art. 33(1): within 72 hours of becoming aware",
            )
        ]
        if flag.data_subjects:
            out.append(
                Stage(
                    "gdpr",
                    "art34-data-subjects",
                    None,
                    "data subjects",
                    "GDPR Art. 34(1): without undue delay (high risk to data subjects)",
                )
            )
        return out
    if flag.regime == "nis2":
        notification = aware + timedelta(hours=72)
        return [
            Stage(
                "nis2",
                "early-warning",
                aware + timedelta(hours=24),
                "CSIRT / authority",
                "NIS2 Art. 23(4)(a): within 24 hours of becoming aware",
            ),
            Stage(
                "nis2",
                "notification",
                notification,
                "CSIRT / authority",
                "NIS2 Art. 23(4)(b): within 72 hours of becoming aware",
            ),
            Stage(
                "nis2",
                "final-report",
                add_month(notification, zone),
                "CSIRT / authority",
                "NIS2 Art. 23(4)(d): within one month of the incident notification",
            ),
        ]
    if flag.regime == "dora":
        classified = utc(flag.classified_at or flag.aware_at)
        initial = min(classified + timedelta(hours=4), aware + timedelta(hours=24))
        intermediate = initial + timedelta(hours=72)
        return [
            Stage(
                "dora",
                "initial",
                initial,
                "competent authority",
                "DORA Art. 19 / RTS: 4 h after classified major, at most 24 h after awareness",
            ),
            Stage(
                "dora",
                "intermediate",
                intermediate,
                "competent authority",
                "DORA Art. 19 / RTS: within 72 h of the initial notification",
            ),
            Stage(
                "dora",
                "final",
                add_month(intermediate, zone),
                "competent authority",
                "DORA Art. 19 / RTS: within one month of the intermediate report",
            ),
        ]
    raise DomainError(f"no clock for regime {flag.regime!r}")


def clocks_from_doc(doc: dict[str, Any] | None) -> list[ClockFlag]:
    flags: list[ClockFlag] = []
    for raw in (doc or {}).get("clocks", {}).values():
        try:
            flags.append(ClockFlag.model_validate(raw))
        except ValueError:
            continue
    return flags


def all_deadlines(flags: list[ClockFlag], art73: Stage | None = None) -> list[Stage]:
    out = [art73] if art73 is not None else []
    for f in flags:
        out.extend(stages(f))
    return sorted(out, key=lambda s: (s.due_at is None, s.due_at.timestamp() if s.due_at else 0.0))
