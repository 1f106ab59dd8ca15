"""Upload an incident's eval cases as a Phoenix dataset (synchronous, for the CLI)."""

from __future__ import annotations

import asyncio
from typing import Any

from ircmd.backends.evidence.phoenix_datasets import PhoenixDatasetError, upload_cases

__all__ = ["PhoenixDatasetError", "upload_eval_cases"]


def upload_eval_cases(
    url: str, name: str, cases: list[dict[str, Any]], *, token: str | None, description: str
) -> dict[str, Any]:
    """Create (or extend) dataset ``name`` at ``url``; Phoenix's answer as a dict."""
    result: dict[str, Any] = asyncio.run(
        upload_cases(url, name, cases, token=token, description=description)
    )
    return result
