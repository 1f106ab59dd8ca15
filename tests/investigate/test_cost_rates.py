"""The pricer asks genai-prices once per model and day, not once per token count, and the
flat rates it keeps give exactly genai-prices' own prices."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from ircmd.domain.traces.cost import Pricer, flat_rates
from ircmd.domain.traces.spans import Span

T0 = 1_760_000_000_000_000_000


def llm(i: int, model: str, provider: str, inp: int, out: int, cached: int = 0) -> Span:
    attrs: dict[str, Any] = {
        "gen_ai.operation.name": "chat",
        "gen_ai.request.model": model,
        "gen_ai.provider.name": provider,
        "gen_ai.usage.input_tokens": inp,
        "gen_ai.usage.output_tokens": out,
    }
    if cached:
        attrs["gen_ai.usage.cache_read.input_tokens"] = cached
    return Span(f"{i:032x}", f"{i:016x}", None, "chat", T0, T0 + 1000, "OK", "", attrs)


def genai(model: str, provider: str, inp: int, out: int, cached: int = 0) -> Decimal:
    from genai_prices import Usage, calc_price

    usage = Usage(input_tokens=inp, output_tokens=out, cache_read_tokens=cached or None)
    day = T0 // 86_400_000_000_000
    when = datetime.fromtimestamp(day * 86_400, tz=UTC)
    return calc_price(usage, model, provider_id=provider, genai_request_timestamp=when).total_price


GRID = [(1200, 85, 0), (1, 0, 0), (0, 17, 0), (5000, 900, 1200), (999_999, 1, 999_000)]


@pytest.mark.parametrize(
    "model,provider",
    [("gpt-4o", "openai"), ("gpt-4o-mini", "openai"), ("claude-sonnet-4-5", "anthropic")],
)
def test_cached_rates_price_exactly_like_genai_prices(model: str, provider: str) -> None:
    p = Pricer()
    for i, (inp, out, cached) in enumerate(GRID):
        c = p.span_cost(llm(i, model, provider, inp, out, cached))
        assert c is not None and c.usd == genai(model, provider, inp, out, cached), (inp, out)
        assert c.source.startswith("genai-prices:")


def test_genai_prices_is_asked_once_per_model_for_a_flat_price(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import genai_prices

    calls: list[str] = []
    real = genai_prices.calc_price

    def counting(*a: Any, **kw: Any) -> Any:
        calls.append(a[1])
        return real(*a, **kw)

    monkeypatch.setattr(genai_prices, "calc_price", counting)
    p = Pricer()
    spans = [llm(i, "gpt-4o", "openai", 1000 + i, 10 + i) for i in range(300)]
    total = p.breakdown(spans).total
    assert calls == ["gpt-4o"]  # 300 distinct token counts, one lookup
    assert total == sum(genai("gpt-4o", "openai", 1000 + i, 10 + i) for i in range(300))


def test_tiered_prices_are_not_flattened() -> None:
    from genai_prices import Usage, calc_price

    calc = calc_price(
        Usage(input_tokens=10, output_tokens=1), "claude-sonnet-4-5", provider_id="anthropic"
    )
    assert flat_rates(calc.model_price) is None
    gpt = calc_price(Usage(input_tokens=10, output_tokens=1), "gpt-4o", provider_id="openai")
    rates = flat_rates(gpt.model_price)
    assert rates is not None and rates.input_mtok > 0 and rates.output_mtok > rates.input_mtok
    assert flat_rates(None) is None
