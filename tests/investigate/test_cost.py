"""Cost: real instrumentations' spans priced from the genai-prices data, checked against
prices computed by hand from that data; [prices] overrides; unpriced spans reported."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

from ircmd.domain.traces.cost import ModelPrice, Pricer
from ircmd.domain.traces.spans import Span, SpanKind
from tests.investigate.conftest import cli_json, read_spans, run_cli

# gpt-4o-mini in the genai-prices data: $0.15 / $0.60 per million input / output tokens;
# text-embedding-3-small: $0.02 per million. The fake server answers 42 in / 17 out per chat
# call (two calls per run) and 4 tokens per embedding.
CHAT = Decimal(42) * Decimal("0.15") / 10**6 + Decimal(17) * Decimal("0.6") / 10**6
EMBED = Decimal(4) * Decimal("0.02") / 10**6


def test_hand_computed_prices_of_a_real_run(refunds_runs: dict[str, Path]) -> None:
    for lib, path in refunds_runs.items():
        spans = read_spans(path)
        b = Pricer().breakdown(spans)
        llm = [s for s in spans if s.kind is SpanKind.LLM]
        assert len(llm) == 2, lib
        emb = [s for s in spans if s.kind is SpanKind.EMBEDDING and s.input_tokens]
        assert b.total == 2 * CHAT + len(emb) * EMBED, lib
        assert b.unpriced == [], lib
        assert b.by_model["gpt-4o-mini-2024-07-18"] == 2 * CHAT


def test_inspect_show_find_json_carry_cost(refunds_runs: dict[str, Path]) -> None:
    path = str(refunds_runs["otel-v2"])
    spans = read_spans(refunds_runs["otel-v2"])
    expected = float(round(Pricer().breakdown(spans).total, 10))
    out = cli_json(["trace", "inspect", path])
    assert out["cost"]["total_usd"] == pytest.approx(expected)
    assert out["cost"]["unpriced_spans"] == 0
    assert out["cost"]["by_model"] == {
        "gpt-4o-mini-2024-07-18": float(round(2 * CHAT, 10)),
        "text-embedding-3-small": float(round(EMBED, 10)),
    }
    trace_id = spans[0].trace_id
    show = cli_json(["trace", "show", trace_id, path])
    by_kind = {(v["kind"], v["cost_usd"]) for v in show["spans"]}
    assert ("llm", float(round(CHAT, 10))) in by_kind
    assert all(v["cost_usd"] is None for v in show["spans"] if v["kind"] == "tool")
    trace_cost = Pricer().breakdown(s for s in spans if s.trace_id == trace_id)
    assert show["cost"]["total_usd"] == pytest.approx(float(trace_cost.total))
    assert show["cost"]["total_usd"] == pytest.approx(
        sum(v["cost_usd"] or 0 for v in show["spans"])
    )
    assert show["cost"]["unpriced_spans"] == 0
    found = cli_json(["trace", "find", path, "--tool", "issue_refund"])
    matched = set(found["trace_ids"])
    assert matched
    blast = Pricer().breakdown(s for s in spans if s.trace_id in matched).total
    assert found["cost_usd"] == pytest.approx(float(blast)) and blast >= CHAT
    code, text, _ = run_cli(["trace", "inspect", path])
    assert code == 0 and "cost    $0.0000" in text


def test_config_prices_override_and_add(refunds_runs: dict[str, Path]) -> None:
    cfg = Path(os.environ["IRCMD_CONFIG"])
    cfg.write_text(
        '[prices."gpt-4o-mini-2024-07-18"]\ninput_mtok = 1.0\noutput_mtok = 2.0\n', "utf-8"
    )
    out = cli_json(["trace", "inspect", str(refunds_runs["openinference"])])
    chat = 2 * (42 * 1.0 + 17 * 2.0) / 1e6
    assert out["cost"]["by_model"]["gpt-4o-mini-2024-07-18"] == pytest.approx(chat)


def _llm(model: str, tin: int | None = 100, tout: int | None = 10, **extra: object) -> Span:
    attrs: dict[str, object] = {"gen_ai.operation.name": "chat", "gen_ai.request.model": model}
    if tin is not None:
        attrs["gen_ai.usage.input_tokens"] = tin
    if tout is not None:
        attrs["gen_ai.usage.output_tokens"] = tout
    attrs.update(extra)
    return Span("a" * 32, "b" * 16, attributes=attrs, start_ns=1_760_000_000 * 10**9)


def test_unpriced_spans_are_marked_not_guessed() -> None:
    p = Pricer()
    unknown = p.span_cost(_llm("acme-secret-model-9"))
    assert unknown is not None and unknown.usd is None and "acme-secret-model-9" in unknown.reason
    no_tokens = p.span_cost(_llm("gpt-4o-mini", None, None))
    assert no_tokens is not None and no_tokens.usd is None
    b = p.breakdown([_llm("acme-secret-model-9"), _llm("gpt-4o-mini")])
    assert len(b.unpriced) == 1 and b.priced_spans == 1
    assert b.to_dict()["unpriced"][0]["model"] == "acme-secret-model-9"
    tool = Span("a" * 32, "c" * 16, attributes={"gen_ai.operation.name": "execute_tool"})
    assert p.span_cost(tool) is None


def test_cached_input_is_priced_at_the_cache_rate() -> None:
    s = _llm("gpt-4o-mini", 1000, 10, **{"gen_ai.usage.cache_read.input_tokens": 600})
    got = Pricer().span_cost(s)
    assert got is not None
    # 400 plain input at 0.15, 600 cached at 0.075, 10 output at 0.6 (per million)
    assert got.usd == (Decimal(400) * Decimal("0.15") + 600 * Decimal("0.075") + 6) / 10**6
    over = Pricer({"acme": ModelPrice(Decimal(1), Decimal(2), cache_read_mtok=Decimal("0.5"))})
    got2 = over.span_cost(_llm("acme", 1000, 10, **{"gen_ai.usage.cache_read.input_tokens": 600}))
    assert (
        got2 is not None
        and got2.usd == (Decimal(400) + 300 + 20) / 10**6
        and got2.source == "config"
    )


def test_money_at_risk_of_findings(refunds_runs: dict[str, Path]) -> None:
    from ircmd.domain.traces.cost import money_at_risk

    spans = read_spans(refunds_runs["openinference"])
    traces = {s.trace_id for s in spans}
    got = money_at_risk(spans, traces, Pricer(), [("issue_refund", "amount")])
    assert got.spend_usd == float(round(Pricer().breakdown(spans).total, 10))
    assert got.amounts == {"issue_refund.amount": 120.5}  # requested once, counted once
    assert "issue_refund.amount 120.50" in got.label()
    none = money_at_risk(spans, [], Pricer(), [("issue_refund", "amount")])
    assert none.spend_usd == 0 and none.amounts == {"issue_refund.amount": 0.0}


def test_header_shows_money_at_risk_as_data() -> None:
    from datetime import UTC, datetime

    from ircmd.domain.incidents.incident import Incident
    from ircmd.tui.widgets.warroom_bars import header_text

    now = datetime(2026, 1, 1, tzinfo=UTC)
    inc = Incident(id="INC-0001", title="refunds", created_at=now, aware_at=now, updated_at=now)
    text = header_text(inc, now, money_at_risk="$1.20 spend · [@click=app.quit]x[/]")
    assert "at risk $1.20 spend · [@click=app.quit]x[/]" in text.plain
    assert "at risk" not in header_text(inc, now).plain
