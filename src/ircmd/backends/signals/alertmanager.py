"""Prometheus Alertmanager (API v2) as a :class:`~ircmd.backends.protocols.SignalSource`.

- ``GET /api/v2/alerts`` with the configured ``filter=`` matchers (repeated),
- ``POST /api/v2/silences`` (acknowledging an alert under an incident),
- ``DELETE /api/v2/silence/{id}`` (expiring it when the incident resolves).

Every call has the source's timeout; a dead, slow or garbage-answering Alertmanager raises
:class:`SignalSourceError` with one line naming the source and what went wrong.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import httpx

from ircmd.backends.protocols import SignalSourceError, SilenceNotFound
from ircmd.domain.config import AlertmanagerSourceConfig
from ircmd.domain.secrets import cut, display_url, env_secrets, scrub, userinfo_secrets
from ircmd.domain.signals.signals import Signal, SignalState, SilenceRequest
from ircmd.domain.text import one_line

MAX_RESPONSE_BYTES = 32 * 1024 * 1024
"""An answer larger than this is refused (a runaway or hostile endpoint)."""


def _str_map(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in value.items()}


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    # Alertmanager writes "0001-01-01T00:00:00Z" for "unset".
    return None if dt.year <= 1 else dt


def signal_from_alert(source: str, raw: Mapping[str, Any]) -> Signal:
    """One ``GettableAlert`` -> :class:`Signal`; ``ValueError`` if it is not an alert."""
    fingerprint = raw.get("fingerprint")
    labels = raw.get("labels")
    if not isinstance(fingerprint, str) or not fingerprint or not isinstance(labels, dict):
        raise ValueError("not an alert (no fingerprint or labels)")
    raw_status = raw.get("status")
    status: dict[str, Any] = raw_status if isinstance(raw_status, dict) else {}
    am_state = str(status.get("state", "active"))
    silenced = [str(x) for x in status.get("silencedBy") or [] if isinstance(x, str | int)]
    inhibited = [str(x) for x in status.get("inhibitedBy") or [] if isinstance(x, str | int)]
    if am_state == "suppressed" or silenced or inhibited:
        state = SignalState.SUPPRESSED
    else:
        state = SignalState.FIRING
    return Signal(
        source=source,
        fingerprint=fingerprint,
        labels=_str_map(labels),
        annotations=_str_map(raw.get("annotations")),
        state=state,
        starts_at=_time(raw.get("startsAt")),
        ends_at=_time(raw.get("endsAt")),
        updated_at=_time(raw.get("updatedAt")),
        generator_url=str(raw.get("generatorURL") or ""),
        silenced_by=silenced,
        inhibited_by=inhibited,
        status=am_state,
    )


class AlertmanagerSource:
    """One configured Alertmanager. A new connection per call: cheap at poll intervals, and
    safe to use from any event loop (the CLI's ``asyncio.run``, a TUI worker thread)."""

    kind = "alertmanager"

    def __init__(
        self,
        config: AlertmanagerSourceConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.config = config
        self.name = config.name
        self.interval = config.interval
        self.timeout = config.timeout
        self.url = config.url.rstrip("/")
        self._transport = transport
        self._environ = os.environ if environ is None else environ
        self.last_unreadable = 0
        """How many items of the last answer were not alerts (skipped)."""

    # -- plumbing ------------------------------------------------------------------------
    def _where(self) -> str:
        return f"signal source {self.name!r} (Alertmanager at {display_url(self.url)})"

    def _secrets(self) -> list[str]:
        return env_secrets([self.config.token_env], self._environ) + userinfo_secrets(self.url)

    def _scrub(self, text: str, limit: int) -> str:
        """The token (read now), URL userinfo and auth headers removed, *then* cut."""
        return cut(one_line(scrub(text, self._secrets())), limit)

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json", "User-Agent": "ircmd"}
        env = self.config.token_env
        if env:
            token = self._environ.get(env, "")
            if not token:
                raise SignalSourceError(
                    f"{self._where()}: token_env {env} is set in the config but the "
                    "environment variable is empty or missing"
                )
            headers["Authorization"] = f"Bearer {token}"
        return headers

    def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self.url,
            timeout=httpx.Timeout(self.config.timeout),
            headers=self._headers(),
            transport=self._transport,
            follow_redirects=False,
        )

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: httpx.QueryParams | None = None,
        body: dict[str, Any] | None = None,
    ) -> tuple[int, bytes]:
        try:
            async with self._client() as client:
                request = client.build_request(method, path, params=params, json=body)
                response = await client.send(request, stream=True)
                try:
                    chunks: list[bytes] = []
                    size = 0
                    async for chunk in response.aiter_bytes():
                        size += len(chunk)
                        if size > MAX_RESPONSE_BYTES:
                            raise SignalSourceError(
                                f"{self._where()}: answer larger than "
                                f"{MAX_RESPONSE_BYTES // (1024 * 1024)} MiB, refused"
                            )
                        chunks.append(chunk)
                finally:
                    await response.aclose()
                return response.status_code, b"".join(chunks)
        except httpx.TimeoutException:
            raise SignalSourceError(
                f"{self._where()}: no answer within {self.config.timeout:g}s (slow or hung)"
            ) from None
        except httpx.ConnectError as exc:
            raise SignalSourceError(
                f"{self._where()}: cannot connect ({self._scrub(str(exc), 80) or 'refused'})"
            ) from None
        except httpx.HTTPError as exc:
            raise SignalSourceError(
                f"{self._where()}: {type(exc).__name__}: {self._scrub(str(exc), 120)}"
            ) from None

    def _status_error(self, what: str, status: int, body: bytes) -> SignalSourceError:
        if status in (401, 403):
            hint = " (check token_env)" if self.config.token_env else " (a token is needed?)"
            return SignalSourceError(f"{self._where()}: {what} refused with HTTP {status}{hint}")
        text = self._scrub(body.decode("utf-8", "replace"), 160)
        return SignalSourceError(
            f"{self._where()}: {what} failed with HTTP {status}" + (f": {text}" if text else "")
        )

    def _json(self, what: str, body: bytes) -> Any:
        try:
            return json.loads(body)
        except (ValueError, UnicodeDecodeError):
            start = self._scrub(body[:4096].decode("utf-8", "replace"), 60)
            raise SignalSourceError(
                f"{self._where()}: {what}: the answer is not JSON (starts {start!r})"
            ) from None

    # -- SignalSource --------------------------------------------------------------------
    async def fetch_signals(self) -> list[Signal]:
        params = httpx.QueryParams([("filter", m) for m in self.config.filter])
        status, body = await self._request("GET", "/api/v2/alerts", params=params)
        if status != 200:
            raise self._status_error("listing alerts", status, body)
        data = self._json("listing alerts", body)
        if not isinstance(data, list):
            raise SignalSourceError(
                f"{self._where()}: listing alerts: expected a JSON list of alerts, "
                f"got {type(data).__name__}"
            )
        signals: list[Signal] = []
        unreadable = 0
        for item in data:
            try:
                if not isinstance(item, dict):
                    raise ValueError("not an object")
                signals.append(signal_from_alert(self.name, item))
            except ValueError:
                unreadable += 1
        if data and not signals:
            raise SignalSourceError(
                f"{self._where()}: listing alerts: none of the {len(data)} items is an alert"
            )
        self.last_unreadable = unreadable
        return signals

    async def create_silence(self, request: SilenceRequest) -> str:
        status, body = await self._request("POST", "/api/v2/silences", body=request.to_api())
        if status != 200:
            raise self._status_error("creating a silence", status, body)
        data = self._json("creating a silence", body)
        silence_id = data.get("silenceID") if isinstance(data, dict) else None
        if not isinstance(silence_id, str) or not silence_id:
            raise SignalSourceError(
                f"{self._where()}: creating a silence: the answer has no silenceID"
            )
        return silence_id

    async def expire_silence(self, silence_id: str) -> None:
        status, body = await self._request("DELETE", f"/api/v2/silence/{silence_id}")
        if status == 200:
            return
        text = body.decode("utf-8", "replace").lower()
        if status == 404 or (status == 500 and "not found" in text):
            raise SilenceNotFound(f"{self._where()}: no silence {silence_id} (already gone)")
        raise self._status_error(f"expiring silence {silence_id}", status, body)


def from_config(config: AlertmanagerSourceConfig) -> AlertmanagerSource:
    """The registry's factory for ``kind = "alertmanager"``."""
    return AlertmanagerSource(config)
