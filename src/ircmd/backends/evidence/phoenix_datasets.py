"""Uploading eval cases to Arize Phoenix as a dataset (REST: ``POST /v1/datasets/upload``).

Each case becomes one example: ``input`` = the messages, ``output`` = the expected
behaviour (and the bad output, for reference), ``metadata`` = tags and the span digest.
The dataset is created, or appended to when it already exists (HTTP 409 on create).
"""

from __future__ import annotations

from typing import Any

import httpx

from ircmd.domain.secrets import cut, display_url, scrub, userinfo_secrets
from ircmd.domain.text import one_line


class PhoenixDatasetError(Exception):
    """The upload failed; the message is one line naming the server and the reason."""


def _examples(cases: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    return {
        "inputs": [{"messages": c["input"]["messages"]} for c in cases],
        "outputs": [
            {"expected_behaviour": c["expected_behaviour"], "bad_output": c["bad_output"]}
            for c in cases
        ],
        "metadata": [
            {
                "case_id": c["id"],
                "incident_id": c["incident_id"],
                "tags": c["tags"],
                "span_digest": c["source"]["span_digest"],
                "trace_id": c["source"].get("trace_id"),
                "span_id": c["source"].get("span_id"),
            }
            for c in cases
        ],
    }


def _known(token: str | None, url: str) -> list[str]:
    return ([token] if token else []) + userinfo_secrets(url)


def _reason(resp: httpx.Response, token: str | None) -> str:
    """The status and the start of the body: scrubbed first, then cut."""
    text = cut(" ".join(scrub(resp.text, _known(token, str(resp.request.url))).split()), 200)
    return f"HTTP {resp.status_code}" + (f": {text}" if text else "")


def _error(message: str, token: str | None) -> PhoenixDatasetError:
    return PhoenixDatasetError(one_line(scrub(message, [token] if token else [])))


async def upload_cases(
    base_url: str,
    name: str,
    cases: list[dict[str, Any]],
    *,
    token: str | None = None,
    description: str = "",
    timeout: float = 30.0,
    transport: httpx.AsyncBaseTransport | None = None,
) -> dict[str, Any]:
    """Upload ``cases`` to the dataset ``name``; returns ``{dataset_id, uploaded, action}``."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body: dict[str, Any] = {"name": name, "description": description, **_examples(cases)}
    url = base_url.rstrip("/")
    shown = display_url(url)
    try:
        async with httpx.AsyncClient(
            base_url=url, headers=headers, timeout=timeout, transport=transport
        ) as client:
            action = "create"
            resp = await client.post(
                "/v1/datasets/upload", params={"sync": "true"}, json={**body, "action": action}
            )
            if resp.status_code == 409:
                action = "append"
                resp = await client.post(
                    "/v1/datasets/upload", params={"sync": "true"}, json={**body, "action": action}
                )
            if resp.status_code in (401, 403):
                raise _error(
                    f"Phoenix at {shown} refused the upload ({_reason(resp, token)}): "
                    "check the API key",
                    token,
                )
            if resp.status_code != 200:
                raise _error(f"Phoenix at {shown}: upload failed ({_reason(resp, token)})", token)
            try:
                payload = resp.json()
                dataset_id = payload["data"]["dataset_id"]
            except (ValueError, KeyError, TypeError):
                answer = cut(scrub(resp.text, _known(token, url)), 120)
                raise _error(
                    f"Phoenix at {shown}: unexpected upload answer {answer!r}", token
                ) from None
    except httpx.TimeoutException:
        raise _error(f"Phoenix at {shown}: timed out after {timeout:g}s", token) from None
    except httpx.HTTPError as exc:
        raise _error(f"Phoenix at {shown}: {type(exc).__name__}: {exc}", token) from None
    return {"dataset_id": str(dataset_id), "uploaded": len(cases), "action": action, "name": name}


async def dataset_examples(
    base_url: str, dataset_id: str, *, token: str | None = None, timeout: float = 30.0
) -> list[dict[str, Any]]:
    """The examples of a dataset's latest version (``GET /v1/datasets/{id}/examples``)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(
        base_url=base_url.rstrip("/"), headers=headers, timeout=timeout
    ) as client:
        resp = await client.get(f"/v1/datasets/{dataset_id}/examples")
        if resp.status_code != 200:
            raise _error(f"Phoenix: listing examples failed ({_reason(resp, token)})", token)
        examples: list[dict[str, Any]] = resp.json()["data"]["examples"]
        return examples
