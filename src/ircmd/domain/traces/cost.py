"""What LLM and embedding spans cost, from the maintained ``genai-prices`` data (offline).

A span is priced from its provider, model (the response model, else the request model) and
token counts: input (which, in both GenAI and OpenInference, already includes cached input),
output (which includes reasoning), cache read and cache write. ``[prices]`` in config adds or
overrides a model (USD per million tokens). A span that should have a price but cannot get one
(no tokens, a model the data does not know) is *unpriced*, never guessed; spans of other kinds
cost nothing and are not counted as unpriced.

Attribute names (GenAI semantic conventions and OpenInference):
``gen_ai.usage.cache_read.input_tokens`` (older ``gen_ai.usage.cache_read_input_tokens``),
``gen_ai.usage.cache_creation.input_tokens`` (older ``gen_ai.usage.cache_creation_input_tokens``),
``gen_ai.usage.reasoning.output_tokens``, ``llm.token_count.prompt_details.cache_read``,
``llm.token_count.prompt_details.cache_write``, ``llm.token_count.completion_details.reasoning``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from ircmd.domain.traces.spans import Span, SpanKind

__all__ = [
    "CostBreakdown",
    "ModelPrice",
    "Pricer",
    "SpanCost",
    "TokenUsage",
    "usage_of",
]

PRICED_KINDS = frozenset({SpanKind.LLM, SpanKind.EMBEDDING})

_CACHE_READ = (
    "gen_ai.usage.cache_read.input_tokens",
    "gen_ai.usage.cache_read_input_tokens",
    "llm.token_count.prompt_details.cache_read",
)
_CACHE_WRITE = (
    "gen_ai.usage.cache_creation.input_tokens",
    "gen_ai.usage.cache_creation_input_tokens",
    "llm.token_count.prompt_details.cache_write",
)
_REASONING = (
    "gen_ai.usage.reasoning.output_tokens",
    "llm.token_count.completion_details.reasoning",
)
_MTOK = Decimal(1_000_000)


@dataclass(frozen=True, slots=True)
class ModelPrice:
    """A price in USD per million tokens (what ``[prices."MODEL"]`` in config gives)."""

    input_mtok: Decimal
    output_mtok: Decimal = Decimal(0)
    cache_read_mtok: Decimal | None = None
    cache_write_mtok: Decimal | None = None

    def price(self, u: TokenUsage) -> Decimal:
        cr = u.cache_read if self.cache_read_mtok is not None else 0
        cw = u.cache_write if self.cache_write_mtok is not None else 0
        plain_in = max(0, u.input - cr - cw)
        total = Decimal(plain_in) * self.input_mtok + Decimal(u.output) * self.output_mtok
        if self.cache_read_mtok is not None:
            total += Decimal(cr) * self.cache_read_mtok
        if self.cache_write_mtok is not None:
            total += Decimal(cw) * self.cache_write_mtok
        return total / _MTOK


@dataclass(frozen=True, slots=True)
class TokenUsage:
    input: int = 0
    output: int = 0
    cache_read: int = 0
    cache_write: int = 0
    reasoning: int = 0

    @property
    def total(self) -> int:
        return self.input + self.output


def _int_attr(s: Span, keys: tuple[str, ...]) -> int:
    for k in keys:
        v = s.attr(k)
        if isinstance(v, bool):
            continue
        if isinstance(v, int | float) and v >= 0:
            return int(v)
        if isinstance(v, str) and v.isdigit():
            return int(v)
    return 0


def usage_of(s: Span) -> TokenUsage | None:
    """The span's token usage, or None when it reports no tokens at all."""
    it, ot, *_ = s.summary_fields()
    if it is None and ot is None:
        return None
    return TokenUsage(
        input=it or 0,
        output=ot or 0,
        cache_read=_int_attr(s, _CACHE_READ),
        cache_write=_int_attr(s, _CACHE_WRITE),
        reasoning=_int_attr(s, _REASONING),
    )


@dataclass(frozen=True, slots=True)
class SpanCost:
    """One span's price: ``usd`` is None when the span is unpriced (``reason`` says why)."""

    span: Span
    usd: Decimal | None
    model: str | None
    source: str = ""
    """``genai-prices:PROVIDER/MODEL_ID`` or ``config``."""
    reason: str = ""

    @property
    def priced(self) -> bool:
        return self.usd is not None


@dataclass
class CostBreakdown:
    """Cost over many spans: total, per model, and the spans that could not be priced."""

    total: Decimal = Decimal(0)
    by_model: dict[str, Decimal] = field(default_factory=dict)
    priced_spans: int = 0
    unpriced: list[SpanCost] = field(default_factory=list)

    def add(self, c: SpanCost) -> None:
        if c.usd is None:
            self.unpriced.append(c)
            return
        self.priced_spans += 1
        self.total += c.usd
        key = c.model or "?"
        self.by_model[key] = self.by_model.get(key, Decimal(0)) + c.usd

    @property
    def total_usd(self) -> float:
        return usd_float(self.total)

    def to_dict(self) -> dict[str, Any]:
        return {
            "total_usd": self.total_usd,
            "by_model": {m: usd_float(v) for m, v in sorted(self.by_model.items())},
            "priced_spans": self.priced_spans,
            "unpriced_spans": len(self.unpriced),
            "unpriced": [
                {
                    "trace_id": c.span.trace_id,
                    "span_id": c.span.span_id,
                    "model": c.model,
                    "reason": c.reason,
                }
                for c in self.unpriced[:50]
            ],
        }


def usd_float(d: Decimal) -> float:
    """USD as a JSON number, to 1e-10 (sub-cent prices of one call stay visible)."""
    return float(round(d, 10))


class Pricer:
    """Prices spans; memoises per (provider, model, day, tokens) so 100,000 spans stay fast."""

    def __init__(self, overrides: Mapping[str, ModelPrice] | None = None) -> None:
        self._overrides = {k.lower(): v for k, v in (overrides or {}).items()}
        self._memo: dict[tuple[Any, ...], tuple[Decimal | None, str, str]] = {}
        self._rates: dict[tuple[str | None, str, int], tuple[ModelPrice, str]] = {}
        """Flat per-token rates found once per (provider, model, day): a cold run used to
        ask genai-prices once per distinct token count (333 lookups for 1,000 spans)."""

    def span_cost(self, s: Span) -> SpanCost | None:
        """The span's cost, or None when its kind is not priced (not an llm/embedding span)."""
        if s.kind not in PRICED_KINDS:
            return None
        model = s.response_model or s.request_model
        u = usage_of(s)
        if model is None:
            return SpanCost(s, None, None, reason="no model on the span")
        if u is None or u.total == 0:
            return SpanCost(s, None, model, reason="no token counts on the span")
        provider = (s.provider or "").lower() or None
        day = s.start_ns // 86_400_000_000_000
        key = (provider, model, day, u.input, u.output, u.cache_read, u.cache_write)
        got = self._memo.get(key)
        if got is None:
            got = self._memo[key] = self._price(provider, model, day, u)
        usd, source, reason = got
        return SpanCost(s, usd, model, source, reason)

    def _price(
        self, provider: str | None, model: str, day: int, u: TokenUsage
    ) -> tuple[Decimal | None, str, str]:
        over = self._overrides.get(model.lower())
        if over is None and provider:
            over = self._overrides.get(f"{provider}/{model}".lower())
        if over is not None:
            return over.price(u), "config", ""
        flat = self._rates.get((provider, model, day))
        if flat is not None:
            return flat[0].price(u), flat[1], ""
        import warnings

        from genai_prices import Usage, calc_price

        usage = Usage(
            input_tokens=u.input,
            output_tokens=u.output,
            cache_read_tokens=u.cache_read or None,
            cache_write_tokens=u.cache_write or None,
        )
        when = datetime.fromtimestamp(day * 86_400, tz=UTC) if day > 0 else None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for pid in (provider, None) if provider else (None,):
                try:
                    calc = calc_price(usage, model, provider_id=pid, genai_request_timestamp=when)
                except (LookupError, ValueError):
                    continue
                source = f"genai-prices:{calc.provider.id}/{calc.model.id}"
                rates = flat_rates(getattr(calc, "model_price", None))
                if rates is not None:
                    self._rates[(provider, model, day)] = (rates, source)
                return calc.total_price, source, ""
        return None, "", f"model {model!r} is not in the genai-prices data or [prices]"

    def breakdown(self, spans: Iterable[Span]) -> CostBreakdown:
        out = CostBreakdown()
        for s in spans:
            if not s._attr_keys:
                continue
            c = self.span_cost(s)
            if c is not None:
                out.add(c)
        return out

    def usd(self, s: Span) -> float | None:
        """The span's cost as a JSON number (None when unpriced or not a priced kind)."""
        c = self.span_cost(s)
        return None if c is None or c.usd is None else usd_float(c.usd)

    def by_trace(self, spans: Iterable[Span]) -> dict[str, Decimal]:
        out: dict[str, Decimal] = {}
        for s in spans:
            if not s._attr_keys:
                continue
            c = self.span_cost(s)
            if c is not None and c.usd is not None:
                out[s.trace_id] = out.get(s.trace_id, Decimal(0)) + c.usd
        return out


_TOKEN_RATES = ("input_mtok", "output_mtok", "cache_read_mtok", "cache_write_mtok")


def flat_rates(model_price: Any) -> ModelPrice | None:
    """genai-prices' resolved price as a flat :class:`ModelPrice`, when it is one: every
    per-token rate a plain number and none but input/output/cache read/cache write (tiered
    prices, audio or image tokens and the like stay with genai-prices, asked per call)."""
    fields = getattr(model_price, "__dict__", None)
    if not isinstance(fields, dict):
        return None
    rates: dict[str, Decimal] = {}
    for key, value in fields.items():
        if not key.endswith("_mtok") or value is None:
            continue
        if key not in _TOKEN_RATES or not isinstance(value, Decimal):
            return None
        rates[key] = value
    if "input_mtok" not in rates:
        return None
    return ModelPrice(**rates)


def pricer_from_config(prices: Mapping[str, Any]) -> Pricer:
    """A pricer from the ``[prices]`` table (``{MODEL: {input_mtok, output_mtok, …}}``)."""
    over: dict[str, ModelPrice] = {}
    for name, p in prices.items():
        get = p.get if isinstance(p, Mapping) else (lambda k, _p=p: getattr(_p, k, None))
        over[name] = ModelPrice(
            input_mtok=Decimal(str(get("input_mtok") or 0)),
            output_mtok=Decimal(str(get("output_mtok") or 0)),
            cache_read_mtok=_dec(get("cache_read_mtok")),
            cache_write_mtok=_dec(get("cache_write_mtok")),
        )
    return Pricer(over)


def _dec(v: Any) -> Decimal | None:
    return None if v is None else Decimal(str(v))


@dataclass
class MoneyAtRisk:
    """What an incident's recorded findings put at risk: their traces' model spend so far and
    the sum of a numeric tool argument (e.g. ``amount`` of ``issue_refund``)."""

    spend_usd: float
    unpriced_spans: int
    amounts: dict[str, float]
    """``"tool.arg" -> sum`` over the invocations in the findings' traces."""

    traces_found: int = 0
    """How many of the findings' traces had spans to price (0: not counted)."""
    traces_total: int = 0
    sources: list[str] = field(default_factory=list)
    """Where the spans were looked up (evidence, spool, trace source names)."""

    def label(self) -> str:
        parts = [f"${self.spend_usd:.2f} spend"]
        parts += [f"{k} {v:,.2f}" for k, v in sorted(self.amounts.items())]
        if self.unpriced_spans:
            parts.append(f"{self.unpriced_spans} unpriced")
        if self.traces_total:
            parts.append(f"{self.traces_found}/{self.traces_total} traces")
        return " · ".join(parts)

    def counted(self) -> str:
        """How it was counted, in words."""
        where = ", ".join(self.sources) or "the loaded spans"
        return (
            f"model spend of {self.traces_found} of the findings' {self.traces_total} traces "
            f"found in {where}; {self.unpriced_spans} spans unpriced"
        )


def money_at_risk(
    spans: Iterable[Span],
    trace_ids: Iterable[str],
    pricer: Pricer,
    amount_args: Iterable[tuple[str, str]] = (),
) -> MoneyAtRisk:
    """Spend of the findings' traces, plus sums of ``(tool, argument)`` numeric arguments
    (each tool call counted once: requested and executed calls are joined by call id, and
    an unjoined request is left out where the trace shows the tool executed)."""
    from ircmd.domain.traces.blast import tool_invocations

    wanted = set(trace_ids)
    mine = [s for s in spans if s.trace_id in wanted]
    b = pricer.breakdown(mine)
    sums: dict[str, float] = {}
    for tool, arg in amount_args:
        total = 0.0
        invs = tool_invocations(mine, tool)
        # a call requested but never seen executed counts only in a trace without any
        # executed call of the tool (instrumentation without call ids cannot join them)
        ran = {i.span.trace_id for i in invs if i.invocation != "requested"}
        for inv in invs:
            if inv.invocation == "requested" and inv.span.trace_id in ran:
                continue
            v = inv.arguments.get(arg) if isinstance(inv.arguments, dict) else None
            if isinstance(v, int | float) and not isinstance(v, bool):
                total += float(v)
        sums[f"{tool}.{arg}"] = total
    return MoneyAtRisk(b.total_usd, len(b.unpriced), sums)
