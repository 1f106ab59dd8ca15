"""Unleash feature flags as kill switches (Admin API).

The AI application checks the flag with its Unleash SDK; ircmd turns it on (containment
engaged) or off (released) in one environment and confirms by reading it back. A flag that
does not exist yet is created as a ``kill-switch``. Reads of many controls are one request
(``GET /api/admin/projects/{project}/features``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx

from ircmd.backends.controllers.http import ControlHttp, garbage
from ircmd.backends.protocols import (
    ControllerCapabilities,
    ControllerError,
    ControlTarget,
    DocStore,
)
from ircmd.domain.config import ControllerConfig
from ircmd.domain.containment.controls import ControlState, Observation
from ircmd.domain.incidents.workflow import ControlKind


def flag_name(target: ControlTarget) -> str:
    return target.spec.flag or target.ref.replace("/", ".")


class UnleashController:
    kind = "unleash"

    def __init__(
        self,
        config: ControllerConfig,
        *,
        name: str = "unleash",
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.name = name
        self.project = config.project
        self.environment = config.environment
        self.http = ControlHttp(name, config, transport=transport)

    def capabilities(self) -> ControllerCapabilities:
        return ControllerCapabilities(
            kinds=frozenset(ControlKind) - {ControlKind.ROLLBACK_PROMPT},
            enforced=True,
            description=(
                f"Unleash kill-switch flags in project {self.project!r}, "
                f"environment {self.environment!r}"
            ),
        )

    def _features(self) -> str:
        return f"/api/admin/projects/{quote(self.project, safe='')}/features"

    def _feature(self, flag: str) -> str:
        return f"{self._features()}/{quote(flag, safe='')}"

    async def _create(self, flag: str, ref: str) -> None:
        body = {
            "name": flag,
            "type": "kill-switch",
            "description": f"ircmd containment control {ref}",
        }
        try:
            await self.http.request("POST", self._features(), json=body, ok=(200, 201))
        except ControllerError as exc:
            if exc.reason != "conflict":  # created meanwhile by someone else: fine
                raise

    async def apply(self, target: ControlTarget, desired: ControlState) -> dict[str, str]:
        if desired == ControlState.UNKNOWN:
            raise ControllerError(f"{self.name}: cannot apply state 'unknown'", "config")
        flag = flag_name(target)
        action = "on" if desired == ControlState.ON else "off"
        path = f"{self._feature(flag)}/environments/{quote(self.environment, safe='')}/{action}"
        try:
            await self.http.request("POST", path, ok=(200, 202, 204))
        except ControllerError as exc:
            if exc.reason != "not_found":
                raise
            if desired == ControlState.OFF:
                return {"flag": flag}  # no flag: the SDK already sees it off
            await self._create(flag, target.ref)
            await self.http.request("POST", path, ok=(200, 202, 204))
        return {"flag": flag}

    async def read(self, targets: Sequence[ControlTarget]) -> dict[str, Observation]:
        now = datetime.now(UTC)
        if len(targets) == 1:
            return {targets[0].ref: await self._read_one(targets[0], now)}
        resp = await self.http.request("GET", self._features())
        data = self.http.json_of(resp, self._features())
        features = data.get("features") if isinstance(data, dict) else None
        if not isinstance(features, list):
            raise garbage(self.name, "feature list without 'features'")
        by_name: dict[str, Mapping[str, Any]] = {
            f["name"]: f for f in features if isinstance(f, dict) and isinstance(f.get("name"), str)
        }
        return {t.ref: self._observe(by_name.get(flag_name(t)), flag_name(t), now) for t in targets}

    async def _read_one(self, target: ControlTarget, now: datetime) -> Observation:
        flag = flag_name(target)
        try:
            resp = await self.http.request("GET", self._feature(flag))
        except ControllerError as exc:
            if exc.reason == "not_found":
                return self._observe(None, flag, now)
            raise
        data = self.http.json_of(resp, self._feature(flag))
        if not isinstance(data, dict) or data.get("name") != flag:
            raise garbage(self.name, f"feature {flag!r} came back without its name")
        return self._observe(data, flag, now)

    def _observe(self, feature: Mapping[str, Any] | None, flag: str, now: datetime) -> Observation:
        if feature is None:
            return Observation(
                ControlState.OFF, f"flag {flag} does not exist (SDK sees off)", at=now
            )
        if feature.get("archived"):
            return Observation(ControlState.OFF, f"flag {flag} is archived", at=now)
        envs = feature.get("environments")
        if not isinstance(envs, list):
            return Observation(
                ControlState.UNKNOWN, "", error=f"flag {flag}: no environments in answer", at=now
            )
        env = next(
            (e for e in envs if isinstance(e, dict) and e.get("name") == self.environment), None
        )
        if env is None:
            return Observation(
                ControlState.UNKNOWN,
                "",
                error=f"flag {flag}: environment {self.environment!r} not in project",
                at=now,
            )
        enabled = env.get("enabled")
        if not isinstance(enabled, bool):
            return Observation(
                ControlState.UNKNOWN, "", error=f"flag {flag}: 'enabled' missing", at=now
            )
        active = _has_active_strategy(env)
        if enabled and active is False:
            return Observation(
                ControlState.OFF,
                f"flag {flag} enabled in {self.environment} but no active strategy (SDK sees off)",
                at=now,
            )
        where = f"flag {flag} in {self.environment}"
        return Observation(ControlState.ON if enabled else ControlState.OFF, where, at=now)

    async def aclose(self) -> None:
        await self.http.aclose()


def _has_active_strategy(env: Mapping[str, Any]) -> bool | None:
    """Whether an enabled environment actually evaluates true (None: cannot tell)."""
    if isinstance(env.get("hasEnabledStrategies"), bool):
        return bool(env["hasEnabledStrategies"])
    strategies = env.get("strategies")
    if isinstance(strategies, list):
        return any(isinstance(s, dict) and not s.get("disabled") for s in strategies)
    return None


def factory(
    config: ControllerConfig, *, name: str = "unleash", docs: DocStore | None = None
) -> UnleashController:
    return UnleashController(config, name=name)
