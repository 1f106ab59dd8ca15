"""Uploading eval cases to Arize Phoenix as a dataset (REST: ``POST /v1/datasets/upload``).

Each case becomes one example: ``input`` = the messages, ``output`` = the expected
behaviour (and the bad output, for reference), ``metadata`` = tags and the span digest.
The dataset is created, or appended to when it already exists (HTTP 409 on create).
"""

from __future__ import annotations

from typing import Any

import httpx


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


def _reason(resp: httpx.Response) -> str:
    text = " ".join(resp.text.split())[:200]
    return f"HTTP {resp.status_code}" + (f": {text}" if text else "")


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
                raise PhoenixDatasetError(
                    f"Phoenix at {url} refused the upload ({_reason(resp)}): check the API key"
                )
            if resp.status_code != 200:
                raise PhoenixDatasetError(f"Phoenix at {url}: upload failed ({_reason(resp)})")
            try:
                payload = resp.json()
                dataset_id = payload["data"]["dataset_id"]
            except (ValueError, KeyError, TypeError):
                raise PhoenixDatasetError(
                    f"Phoenix at {url}: unexpected upload answer {resp.text[:120]!r}"
                ) from None
    except httpx.TimeoutException:
        raise PhoenixDatasetError(f"Phoenix at {url}: timed out after {timeout:g}s") from None
    except httpx.HTTPError as exc:
        raise PhoenixDatasetError(f"Phoenix at {url}: {type(exc).__name__}: {exc}") from None
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
            raise PhoenixDatasetError(f"Phoenix: listing examples failed ({_reason(resp)})")
        examples: list[dict[str, Any]] = resp.json()["data"]["examples"]
        return examples
