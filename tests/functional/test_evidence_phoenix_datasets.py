"""Eval cases uploaded as a Phoenix dataset: against the real Phoenix server, plus injected
faults (401, 500, garbage, timeout) on top."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from ircmd.backends.evidence.phoenix_datasets import (
    PhoenixDatasetError,
    dataset_examples,
    upload_cases,
)
from ircmd.cli import main
from ircmd.service.evidence.review import add_eval_case, eval_cases
from tests.evidence_fixtures import open_workspace, seed_incident
from tests.services import require_service


def _cases(tmp_path: Path) -> list[dict[str, Any]]:
    ws = open_workspace(tmp_path)
    iid, digests = seed_incident(ws)
    add_eval_case(ws.incidents, iid, digests[0], "Refuse refunds above the policy ceiling.")
    add_eval_case(ws.incidents, iid, digests[1], "Escalate to a human reviewer.")
    cases = eval_cases(ws.incidents, iid)
    ws.close()
    return cases


@pytest.mark.services
def test_upload_to_real_phoenix_then_append(tmp_path: Path) -> None:
    url = require_service("phoenix")
    cases = _cases(tmp_path)
    name = f"ircmd-test-{uuid.uuid4().hex[:8]}"
    first = asyncio.run(upload_cases(url, name, cases, description="from a test"))
    assert first["action"] == "create" and first["uploaded"] == 2
    examples = asyncio.run(dataset_examples(url, first["dataset_id"]))
    assert len(examples) == 2
    by_case = {e["metadata"]["case_id"]: e for e in examples}
    case = cases[0]
    got = by_case[case["id"]]
    assert got["input"]["messages"] == case["input"]["messages"]
    assert got["output"]["expected_behaviour"] == case["expected_behaviour"]
    assert got["output"]["bad_output"] == "You will get a 500 EUR refund."
    assert got["metadata"]["span_digest"] == case["source"]["span_digest"]
    assert f"incident:{case['incident_id']}" in got["metadata"]["tags"]
    # the same name again: the dataset exists (409), so a new case is appended ...
    changed = dict(cases[0], expected_behaviour="Refuse and hand over to a human.")
    second = asyncio.run(upload_cases(url, name, [changed]))
    assert second["action"] == "append" and second["dataset_id"] == first["dataset_id"]
    assert len(asyncio.run(dataset_examples(url, first["dataset_id"]))) == 3
    # ... while uploading the very same cases again adds nothing (Phoenix dedups them)
    asyncio.run(upload_cases(url, name, cases))
    assert len(asyncio.run(dataset_examples(url, first["dataset_id"]))) == 3


@pytest.mark.services
def test_cli_upload_to_real_phoenix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = require_service("phoenix")
    ws = open_workspace(tmp_path)
    iid, digests = seed_incident(ws)
    add_eval_case(ws.incidents, iid, digests[0], "Refuse refunds above the policy ceiling.")
    ws.close()
    (tmp_path / "config.toml").write_text("")
    monkeypatch.setenv("IRCMD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("IRCMD_CONFIG", str(tmp_path / "config.toml"))
    name = f"ircmd-cli-{uuid.uuid4().hex[:8]}"
    code = main(
        ["evals", "upload", iid, "--source", "phoenix", "--url", url, "--dataset", name, "--json"]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["uploaded"] == 1 and out["name"] == name
    assert main(["evals", "upload", iid, "--source", "nowhere"]) == 2
    assert "no such phoenix trace source" in capsys.readouterr().err


def _run(handler: Any, cases: list[dict[str, Any]]) -> dict[str, Any]:
    return asyncio.run(
        upload_cases(
            "http://phoenix.test", "ds", cases, timeout=0.5, transport=httpx.MockTransport(handler)
        )
    )


@pytest.mark.parametrize(
    ("handler", "message"),
    [
        (lambda r: httpx.Response(401, text="unauthorized"), "refused the upload (HTTP 401"),
        (lambda r: httpx.Response(500, text="boom\nstack"), "upload failed (HTTP 500: boom stack)"),
        (lambda r: httpx.Response(200, text="<html>not json"), "unexpected upload answer"),
        (lambda r: httpx.Response(200, json={"data": None}), "unexpected upload answer"),
    ],
)
def test_faults_become_one_line_errors(tmp_path: Path, handler: Any, message: str) -> None:
    cases = _cases(tmp_path)
    with pytest.raises(PhoenixDatasetError, match=r"^Phoenix at http://phoenix\.test") as exc:
        _run(handler, cases)
    assert message in str(exc.value) and "\n" not in str(exc.value)


def test_timeout_and_token(tmp_path: Path) -> None:
    cases = _cases(tmp_path)

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(PhoenixDatasetError, match=r"timed out after 0\.5s"):
        _run(slow, cases)
    seen: list[str] = []

    def ok(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("authorization", ""))
        body = json.loads(request.content)
        assert body["action"] == "create" and len(body["inputs"]) == len(cases)
        return httpx.Response(200, json={"data": {"dataset_id": "RGF0YXNldDox"}})

    result = asyncio.run(
        upload_cases(
            "http://phoenix.test", "ds", cases, token="t0k3n-secret",
            transport=httpx.MockTransport(ok),
        )
    )  # fmt: skip
    assert result["dataset_id"] == "RGF0YXNldDox"
    assert seen == ["Bearer t0k3n-secret"]
