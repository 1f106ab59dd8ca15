"""How spans look: glyphs and colours per kind, durations, token counts (no Textual)."""

from __future__ import annotations

from typing import NamedTuple

KIND_GLYPH = {
    "agent": "◆",
    "workflow": "◇",
    "llm": "✦",
    "embedding": "≈",
    "retrieval": "⊙",
    "reranker": "⇅",
    "tool": "⚒",
    "guardrail": "◈",
    "evaluator": "✓",
    "chain": "○",
    "other": "·",
}

KIND_STYLE = {
    "agent": "bold magenta",
    "workflow": "bold blue",
    "llm": "bold cyan",
    "embedding": "blue",
    "retrieval": "green",
    "reranker": "green",
    "tool": "bold yellow",
    "guardrail": "bold white",
    "evaluator": "white",
    "chain": "bright_black",
    "other": "bright_black",
}


class RowInfo(NamedTuple):
    """What one tree line shows about a span."""

    kind: str
    name: str
    start_ns: int
    end_ns: int
    input_tokens: int = 0
    output_tokens: int = 0
    error: bool = False


def format_duration(ns: int) -> str:
    if ns < 0:
        return "?"
    if ns < 1_000:
        return f"{ns}ns"
    if ns < 1_000_000:
        return f"{ns / 1_000:.0f}µs"
    if ns < 1_000_000_000:
        ms = ns / 1_000_000
        return f"{ms:.1f}ms" if ms < 10 else f"{ms:.0f}ms"
    s = ns / 1_000_000_000
    if s < 60:
        return f"{s:.2f}s" if s < 10 else f"{s:.1f}s"
    return f"{int(s // 60)}m{int(s % 60):02d}s"


def compact_count(n: int) -> str:
    if n < 1_000:
        return str(n)
    if n < 1_000_000:
        return f"{n / 1_000:.1f}k".replace(".0k", "k")
    return f"{n / 1_000_000:.1f}M".replace(".0M", "M")


def format_tokens(input_tokens: int, output_tokens: int) -> str:
    """``1.2k→340`` (input→output), or empty when the span used none."""
    if not input_tokens and not output_tokens:
        return ""
    return f"{compact_count(input_tokens)}→{compact_count(output_tokens)}"
