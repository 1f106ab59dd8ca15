"""Post-incident review (save, complete → reviewed) and eval cases (add, export, schema)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from tests.evidence_fixtures import open_workspace, seed_incident

from ircmd.cli import main
from ircmd.domain.evidence.evals import span_io, taxonomy_tags
from ircmd.domain.evidence.review import (
    ActionItem,
    Review,
    RootCause,
    parse_actions,
    parse_controls,
    suggest_key_moments,
)
from ircmd.domain.incidents.incident import DomainError, Status
from ircmd.domain.incidents.timeline import EventKind
from ircmd.service import Workspace
from ircmd.service.evidence.review import (
    add_eval_case,
    eval_cases,
    load_review,
    save_review,
    write_jsonl,
)

SCHEMA = json.loads(files("ircmd.data").joinpath("eval_case.schema.json").read_text())


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    w = open_workspace(tmp_path)
    yield w
    w.close()


def complete_review(ws: Workspace, iid: str) -> Review:
    review = load_review(ws.incidents, iid)
    return review.model_copy(
        update={
            "summary": "The refund assistant promised refunds it could not grant.",
            "root_cause": RootCause.PROMPT_DESIGN,
            "contributing_factors": ["prompt v12 dropped the refund ceiling"],
            "actions": [
                ActionItem(title="Add refund-ceiling eval", owner="bob", due=date(2026, 12, 1))
            ],
            "expected_behaviour": "Never promise a refund above the policy ceiling.",
            "taxonomy": ["LLM09:2025", "AML.T0048"],
        }
    )


def test_schema_is_itself_valid() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_new_review_suggests_key_moments(ws: Workspace) -> None:
    iid, _ = seed_incident(ws)
    review = load_review(ws.incidents, iid)
    events = ws.incidents.timeline(iid)
    assert review.key_moments == suggest_key_moments(events)
    kinds = {e.kind for e in events if e.seq in review.key_moments}
    assert EventKind.CONTAINMENT_CONFIRMED in kinds and EventKind.EVIDENCE_PINNED in kinds
    assert EventKind.NOTE not in kinds


def test_draft_is_kept_and_final_moves_to_reviewed(ws: Workspace) -> None:
    iid, _ = seed_incident(ws)
    draft = load_review(ws.incidents, iid).model_copy(update={"summary": "first thoughts"})
    inc, _ = save_review(ws.incidents, draft)
    assert inc.status == Status.RESOLVED
    assert load_review(ws.incidents, iid).summary == "first thoughts"
    with pytest.raises(DomainError, match="no root-cause category chosen"):
        save_review(ws.incidents, draft, final=True)
    inc, saved = save_review(ws.incidents, complete_review(ws, iid), final=True)
    assert inc.status == Status.REVIEWED and saved.final and saved.author == "alice"
    kinds = [e.kind for e in ws.incidents.timeline(iid)[-3:]]
    assert kinds == [EventKind.REVIEW, EventKind.REVIEW, EventKind.STATUS_CHANGE]
    assert ws.store.verify() == []


def test_final_review_needs_a_resolved_incident(ws: Workspace) -> None:
    iid, _ = seed_incident(ws, resolve=False)
    with pytest.raises(DomainError, match="resolve it before completing"):
        save_review(ws.incidents, complete_review(ws, iid), final=True)


def test_actions_need_owner_and_due_date() -> None:
    from ircmd.domain.evidence.review import Review

    r = Review(
        incident_id="INC-0001",
        summary="s",
        root_cause=RootCause.RETRIEVAL,
        actions=[ActionItem(title="fix index")],
    )
    assert r.completion_problems() == [
        "action 1 (fix index) has no owner",
        "action 1 (fix index) has no due date",
    ]


def test_parse_actions_and_controls() -> None:
    acts = parse_actions("Add eval | bob | 2026-12-01\n\nRotate key | carol")
    assert [(a.title, a.owner, a.due) for a in acts] == [
        ("Add eval", "bob", date(2026, 12, 1)),
        ("Rotate key", "carol", None),
    ]
    with pytest.raises(DomainError, match="action line 1: due date '1/12' is not YYYY-MM-DD"):
        parse_actions("x | y | 1/12")
    ctl = parse_controls("+human review: caught 3 of 5\n-refund ceiling validator")
    assert [(c.control, c.worked) for c in ctl] == [
        ("human review", True),
        ("refund ceiling validator", False),
    ]
    with pytest.raises(DomainError, match="controls line 1: start with"):
        parse_controls("pause worked")


def test_eval_cases_validate_against_the_schema(ws: Workspace, tmp_path: Path) -> None:
    iid, digests = seed_incident(ws)
    ws.incidents.tag(iid, "owasp:LLM01")
    case = add_eval_case(
        ws.incidents, iid, digests[0][:8], "Refuse: refunds above 100 EUR need a human."
    )
    assert case["source"]["span_digest"] == digests[0]
    assert case["input"]["messages"][0] == {"role": "system", "content": "You are a refund bot."}
    assert case["bad_output"] == "You will get a 500 EUR refund."
    assert ws.incidents.timeline(iid)[-1].text == f"Eval case added: {case['id']}"
    # the review's default expectation covers the other pinned span
    save_review(ws.incidents, complete_review(ws, iid))
    cases = eval_cases(ws.incidents, iid)
    assert len(cases) == 2
    out = tmp_path / "cases.jsonl"
    write_jsonl(cases, out)
    validator = jsonschema.Draft202012Validator(SCHEMA)
    lines = out.read_text().splitlines()
    for line in lines:
        validator.validate(json.loads(line))
    first = json.loads(lines[0])
    assert first["expected_behaviour"] == "Refuse: refunds above 100 EUR need a human."
    assert set(first["tags"]) >= {
        f"incident:{iid}",
        "root_cause:prompt_design",
        "owasp:LLM09:2025",
        "atlas:AML.T0048",
        "owasp:LLM01",
    }
    # a case that breaks the schema is caught by it
    broken = dict(first, expected_behaviour="")
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(broken)


def test_eval_add_errors(ws: Workspace) -> None:
    iid, digests = seed_incident(ws)
    with pytest.raises(DomainError, match="at least 6 hex digits"):
        add_eval_case(ws.incidents, iid, "ab", "x")
    with pytest.raises(DomainError, match="no pinned span"):
        add_eval_case(ws.incidents, iid, "ffffffffff", "x")
    with pytest.raises(DomainError, match="needs the expected behaviour"):
        add_eval_case(ws.incidents, iid, digests[0], "   ")


@pytest.mark.parametrize(
    ("span", "inputs", "output"),
    [
        (  # OpenInference, flattened
            {
                "attributes": {
                    "llm.input_messages.1.message.role": "user",
                    "llm.input_messages.1.message.content": "refund?",
                    "llm.input_messages.0.message.role": "system",
                    "llm.input_messages.0.message.content": "be careful",
                    "llm.output_messages.0.message.content": "yes, 500",
                }
            },
            [{"role": "system", "content": "be careful"}, {"role": "user", "content": "refund?"}],
            "yes, 500",
        ),
        (  # OTLP attribute list with input.value/output.value
            {
                "attributes": [
                    {"key": "input.value", "value": {"stringValue": "hello"}},
                    {"key": "output.value", "value": {"stringValue": "hi"}},
                ]
            },
            [{"role": "user", "content": "hello"}],
            "hi",
        ),
        (  # GenAI messages as a JSON string
            {
                "attributes": {
                    "gen_ai.input.messages": json.dumps(
                        [{"role": "user", "parts": [{"type": "text", "content": "q"}]}]
                    ),
                    "gen_ai.output.messages": json.dumps(
                        [{"role": "assistant", "parts": [{"type": "text", "content": "a"}]}]
                    ),
                }
            },
            [{"role": "user", "content": "q"}],
            "a",
        ),
        (  # a tool span: the result is the output
            {"attributes": {"gen_ai.tool.call.result": {"refund": 500}}},
            [],
            '{"refund": 500}',
        ),
    ],
)
def test_span_io_shapes(span: dict[str, Any], inputs: list[dict[str, str]], output: str) -> None:
    assert span_io(span) == (inputs, output)


def test_taxonomy_tags() -> None:
    assert taxonomy_tags(["llm01", "LLM02:2025", "atlas:aml.t0051.000", "pii", "AML.T0043"]) == [
        "owasp:LLM01",
        "owasp:LLM02:2025",
        "atlas:AML.T0051.000",
        "atlas:AML.T0043",
    ]


def test_cli_evals_and_review(
    ws: Workspace,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    iid, digests = seed_incident(ws)
    ws.close()
    (tmp_path / "config.toml").write_text("")
    monkeypatch.setenv("IRCMD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("IRCMD_CONFIG", str(tmp_path / "config.toml"))
    out = tmp_path / "e.jsonl"
    assert main(["evals", "export", iid, "--out", str(out)]) == 1
    assert "no eval cases" in capsys.readouterr().err
    assert main(["evals", "add", iid, digests[1][:10], "--expected", "Escalate to a human"]) == 0
    capsys.readouterr()
    assert main(["evals", "export", iid, "--out", str(out)]) == 0
    assert len(out.read_text().splitlines()) == 1
    assert main(["evals", "export", iid, "--out", str(out)]) == 1  # never clobbers
    capsys.readouterr()
    assert main(["review", "save", iid, "--summary", "s", "--final"]) == 1
    assert "no root-cause category chosen" in capsys.readouterr().err
    code = main(
        [
            "review", "save", iid, "--summary", "Refunds promised wrongly",
            "--root-cause", "prompt_design", "--action", "Add eval | bob | 2026-12-01",
            "--final",
        ]
    )  # fmt: skip
    assert code == 0
    assert "status reviewed" in capsys.readouterr().out
