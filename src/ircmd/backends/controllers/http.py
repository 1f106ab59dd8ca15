"""HTTP plumbing shared by the containment controllers: one pooled client, the token read
from the environment at call time (never stored), every failure one line.

The containment service runs every controller coroutine on the workspace's one
:class:`~ircmd.service.backend_loop.BackendLoop`, so the client is built once on that loop
and reused for the whole process. An ``httpx.AsyncClient`` cannot be shared between event
loops, so a call from another loop (a test driving a controller directly) gets its own
client rather than a broken one."""

from __future__ import annotations

import asyncio
import contextlib
import os
from typing import Any

import httpx

from ircmd.backends.protocols import ControllerError
from ircmd.domain.config import ControllerConfig
from ircmd.domain.secrets import cut, display_url, env_secrets, scrub, userinfo_secrets
from ircmd.domain.text import one_line


class ControlHttp:
    def __init__(
        self,
        name: str,
        config: ControllerConfig,
        *,
        auth_scheme: str = "",
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if not config.url:
            raise ControllerError(f"controller {name!r} needs url", "config")
        self.name = name
        self.base_url = config.url.rstrip("/")
        self.display_url = display_url(self.base_url)
        self.token_env = config.token_env
        self.timeout = config.timeout
        self.auth_scheme = auth_scheme
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _token(self) -> str | None:
        if not self.token_env:
            return None
        value = os.environ.get(self.token_env)
        if not value:
            raise ControllerError(
                f"{self.name}: environment variable {self.token_env} (token_env) is not set",
                "config",
            )
        return value

    def _client_for_loop(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop or self._client.is_closed:
            self._client = httpx.AsyncClient(
                base_url=self.base_url,
                timeout=httpx.Timeout(self.timeout),
                transport=self._transport,
                follow_redirects=False,
            )
            self._loop = loop
        return self._client

    def _scrub(self, text: str, limit: int = 160) -> str:
        """The token (read now), URL userinfo and auth headers removed, *then* cut."""
        secrets = env_secrets([self.token_env], os.environ) + userinfo_secrets(self.base_url)
        return cut(one_line(scrub(text, secrets)), limit)

    async def request(
        self, method: str, path: str, *, json: Any = None, ok: tuple[int, ...] = (200,)
    ) -> httpx.Response:
        """Send one request; raise :class:`ControllerError` unless the status is in ``ok``."""
        headers = {"Accept": "application/json"}
        token = self._token()
        if token:
            headers["Authorization"] = f"{self.auth_scheme} {token}".strip()
        client = self._client_for_loop()
        where = f"{self.name}: {method} {path}"
        try:
            resp = await client.request(method, path, json=json, headers=headers)
        except httpx.TimeoutException:
            raise ControllerError(f"{where} timed out after {self.timeout:g}s", "timeout") from None
        except httpx.HTTPError as exc:
            raise ControllerError(
                self._scrub(
                    f"{where}: cannot reach {self.display_url}: {type(exc).__name__} {exc}"
                ),
                "unreachable",
            ) from None
        if resp.status_code in ok:
            return resp
        body = self._scrub(resp.text, 200) if resp.content else ""
        code = resp.status_code
        reason = (
            "auth"
            if code == 401
            else "forbidden"
            if code == 403
            else "not_found"
            if code == 404
            else "conflict"
            if code == 409
            else "server"
            if code >= 500
            else "refused"
        )
        hint = {
            401: f" (check the token in ${self.token_env})" if self.token_env else " (no token)",
            403: " (the token may not change this)",
        }.get(code, "")
        raise ControllerError(
            self._scrub(f"{where} → HTTP {code}{hint}" + (f": {body}" if body else ""), 400),
            reason,
        )

    def json_of(self, resp: httpx.Response, path: str) -> Any:
        try:
            return resp.json()
        except ValueError:
            snippet = self._scrub(resp.text, 60)
            raise ControllerError(
                f"{self.name}: {path} answered with something that is not JSON: {snippet!r}",
                "garbage",
            ) from None

    async def aclose(self) -> None:
        client, self._client = self._client, None
        if client is not None and not client.is_closed:
            with contextlib.suppress(RuntimeError):  # its loop is gone: nothing to close
                await client.aclose()


def garbage(name: str, what: str) -> ControllerError:
    return ControllerError(f"{name}: unexpected answer: {what}", "garbage")
