"""Audiences of stakeholder updates (``[[comms.audiences]]``) and their cadence per severity.

Five built-in audiences (``executives``, ``support``, ``customers``, ``legal``,
``regulators``); a config entry with the same ``name`` replaces a built-in's fields it sets,
a new name adds an audience. A cadence is minutes or ``30m``/``1h``/``4h``; a severity
without one (``low`` by default) has no cadence: no update is due.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ircmd.domain.incidents.incident import Severity

Template = Literal["internal", "executive", "customers", "legal", "regulators"]

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mhd]?)\s*$", re.IGNORECASE)
_UNIT_MINUTES = {"": 1, "m": 1, "h": 60, "d": 1440}


def parse_cadence(value: object) -> float:
    """Minutes of a cadence: ``30``, ``"30m"``, ``"1h"``, ``"4h"``, ``"1d"``."""
    if isinstance(value, bool):
        raise ValueError("a cadence is minutes or 30m / 1h / 4h")
    if isinstance(value, int | float):
        minutes = float(value)
    else:
        m = _DURATION.match(str(value))
        if not m:
            raise ValueError(f"not a cadence: {value!r} (use 30m, 1h, 4h or minutes)")
        minutes = float(m.group(1)) * _UNIT_MINUTES[m.group(2).lower()]
    if minutes <= 0:
        raise ValueError("a cadence must be longer than zero")
    return minutes


class AudienceConfig(BaseModel):
    """One ``[[comms.audiences]]`` table; unset fields keep the built-in's values."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,39}$")
    label: str | None = None
    template: Template | None = None
    cadence: dict[Severity, float] | None = None

    @field_validator("cadence", mode="before")
    @classmethod
    def _cadence(cls, value: object) -> object:
        if not isinstance(value, dict):
            return value
        return {k: parse_cadence(v) for k, v in value.items()}


class CommsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    audiences: list[AudienceConfig] = Field(default_factory=list)

    @field_validator("audiences")
    @classmethod
    def _unique(cls, audiences: list[AudienceConfig]) -> list[AudienceConfig]:
        seen: set[str] = set()
        for a in audiences:
            if a.name in seen:
                raise ValueError(f"audience {a.name!r} is configured twice")
            seen.add(a.name)
        return audiences


class Audience(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    label: str
    template: Template
    cadence: dict[Severity, float]
    """Minutes between updates per severity; a missing severity has none."""

    def interval(self, severity: Severity) -> timedelta | None:
        minutes = self.cadence.get(severity)
        return timedelta(minutes=minutes) if minutes else None

    @property
    def external(self) -> bool:
        return self.template == "customers"


_STANDARD = {Severity.CRITICAL: 30.0, Severity.HIGH: 60.0, Severity.MEDIUM: 240.0}

BUILTIN_AUDIENCES: tuple[Audience, ...] = (
    Audience(name="executives", label="Executives", template="executive", cadence=_STANDARD),
    Audience(name="support", label="Support", template="internal", cadence=_STANDARD),
    Audience(
        name="customers",
        label="Customers",
        template="customers",
        cadence={Severity.CRITICAL: 60.0, Severity.HIGH: 120.0},
    ),
    Audience(
        name="legal",
        label="Legal",
        template="legal",
        cadence={Severity.CRITICAL: 60.0, Severity.HIGH: 240.0},
    ),
    Audience(
        name="regulators",
        label="Regulators",
        template="regulators",
        cadence={Severity.CRITICAL: 1440.0},
    ),
)


def audiences(config: CommsConfig | None) -> list[Audience]:
    """The built-ins with the config's changes, then the config's new audiences."""
    by_name = {a.name: a for a in BUILTIN_AUDIENCES}
    order = [a.name for a in BUILTIN_AUDIENCES]
    for entry in config.audiences if config else []:
        base = by_name.get(entry.name)
        if base is None:
            order.append(entry.name)
            by_name[entry.name] = Audience(
                name=entry.name,
                label=entry.label or entry.name.capitalize(),
                template=entry.template or "internal",
                cadence=dict(entry.cadence or {}),
            )
            continue
        changes = {
            k: v
            for k, v in (
                ("label", entry.label),
                ("template", entry.template),
                ("cadence", entry.cadence),
            )
            if v is not None
        }
        by_name[entry.name] = base.model_copy(update=changes)
    return [by_name[n] for n in order]


def find_audience(all_audiences: list[Audience], name: str) -> Audience:
    from ircmd.domain.incidents.incident import DomainError

    for a in all_audiences:
        if a.name == name.strip().lower():
            return a
    known = ", ".join(a.name for a in all_audiences)
    raise DomainError(f"unknown audience {name!r}; audiences: {known}")
