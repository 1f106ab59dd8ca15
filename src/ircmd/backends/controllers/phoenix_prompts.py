"""Phoenix prompt management as a containment control (``rollback_prompt``).

Engaging the control moves the prompt's ``production`` tag to an earlier version (the one
named by the control's ``version``, or else the version just before the current
production one); releasing moves it back to the version it pointed at before (or to the
newest version). The state is read back with ``GET /v1/prompts/{name}/tags/production``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
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

TAG = "production"


class PhoenixPromptsController:
    kind = "phoenix-prompts"

    def __init__(
        self,
        config: ControllerConfig,
        *,
        name: str = "phoenix-prompts",
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.name = name
        self.http = ControlHttp(name, config, auth_scheme="Bearer", transport=transport)

    def capabilities(self) -> ControllerCapabilities:
        return ControllerCapabilities(
            kinds=frozenset({ControlKind.ROLLBACK_PROMPT}),
            enforced=True,
            description=f"Phoenix prompt '{TAG}' tags at {self.http.display_url}",
        )

    def _prompt(self, target: ControlTarget) -> str:
        prompt = target.spec.prompt
        if not prompt:
            raise ControllerError(
                f"{self.name}: control {target.ref} needs prompt = NAME in its config", "config"
            )
        return prompt

    async def _production(self, prompt: str) -> str | None:
        path = f"/v1/prompts/{quote(prompt, safe='')}/tags/{TAG}"
        try:
            resp = await self.http.request("GET", path)
        except ControllerError as exc:
            if exc.reason == "not_found":
                return None
            raise
        data = self.http.json_of(resp, path)
        version = data.get("data") if isinstance(data, dict) else None
        vid = version.get("id") if isinstance(version, dict) else None
        if not isinstance(vid, str) or not vid:
            raise garbage(self.name, f"{path} has no data.id")
        return vid

    async def versions(self, prompt: str) -> list[str]:
        """Version ids, newest first (all pages)."""
        ids: list[str] = []
        cursor: str | None = None
        base = f"/v1/prompts/{quote(prompt, safe='')}/versions"
        for _ in range(100):
            path = base + (f"?cursor={quote(cursor, safe='')}" if cursor else "")
            data = self.http.json_of(await self.http.request("GET", path), base)
            items = data.get("data") if isinstance(data, dict) else None
            if not isinstance(items, list):
                raise garbage(self.name, f"{base} has no data list")
            ids += [v["id"] for v in items if isinstance(v, dict) and isinstance(v.get("id"), str)]
            nxt = data.get("next_cursor")
            if not isinstance(nxt, str) or not nxt:
                break
            cursor = nxt
        return ids

    async def _tag(self, version_id: str, ref: str) -> None:
        path = f"/v1/prompt_versions/{quote(version_id, safe='')}/tags"
        body = {"name": TAG, "description": f"moved by ircmd containment control {ref}"}
        await self.http.request("POST", path, json=body, ok=(200, 201, 204))

    async def apply(self, target: ControlTarget, desired: ControlState) -> dict[str, str]:
        prompt = self._prompt(target)
        memo = dict(target.memo)
        current = await self._production(prompt)
        if desired == ControlState.ON:
            versions = await self.versions(prompt)
            wanted = target.spec.version
            if wanted:
                if wanted not in versions:
                    raise ControllerError(
                        f"{self.name}: prompt {prompt!r} has no version {wanted!r}", "config"
                    )
                rollback_to = wanted
            elif current is not None and current == memo.get("target_version"):
                rollback_to = current  # already rolled back (a retry)
            else:
                if current is None:
                    raise ControllerError(
                        f"{self.name}: prompt {prompt!r} has no '{TAG}' tag to roll back from",
                        "refused",
                    )
                index = versions.index(current) if current in versions else -1
                if index < 0 or index + 1 >= len(versions):
                    raise ControllerError(
                        f"{self.name}: prompt {prompt!r} has no version before {current}",
                        "refused",
                    )
                rollback_to = versions[index + 1]
            restore = memo.get("restore_version") if current == rollback_to else current
            if current != rollback_to:
                await self._tag(rollback_to, target.ref)
            out = {"prompt": prompt, "target_version": rollback_to}
            if restore:
                out["restore_version"] = restore
            return out
        if desired == ControlState.OFF:
            restore = memo.get("restore_version")
            if not restore:
                versions = await self.versions(prompt)
                if not versions:
                    raise ControllerError(
                        f"{self.name}: prompt {prompt!r} has no versions", "refused"
                    )
                restore = versions[0]
            if current != restore:
                await self._tag(restore, target.ref)
            return {**memo, "prompt": prompt, "restored_version": restore}
        raise ControllerError(f"{self.name}: cannot apply state 'unknown'", "config")

    async def read(self, targets: Sequence[ControlTarget]) -> dict[str, Observation]:
        now = datetime.now(UTC)
        prompts = sorted({self._prompt(t) for t in targets})
        found = await asyncio.gather(*(self._production(p) for p in prompts))
        production: Mapping[str, str | None] = dict(zip(prompts, found, strict=True))
        out: dict[str, Observation] = {}
        for t in targets:
            prompt = self._prompt(t)
            current = production[prompt]
            rollback_to = t.memo.get("target_version") or t.spec.version
            where = f"{prompt}:{TAG} → {current}" if current else f"{prompt} has no {TAG} tag"
            state = ControlState.ON if rollback_to and current == rollback_to else ControlState.OFF
            out[t.ref] = Observation(state, where, at=now)
        return out

    async def aclose(self) -> None:
        await self.http.aclose()


def factory(
    config: ControllerConfig, *, name: str = "phoenix-prompts", docs: DocStore | None = None
) -> PhoenixPromptsController:
    return PhoenixPromptsController(config, name=name)
