"""The detail pane: everything one span says, as literal text.

Messages role by role, the tool call's arguments and result pretty-printed, retrieved
documents with their ids and scores, the prompt version, events and the raw attributes.
Every value is data: it goes through ``sanitize`` into ``rich.text.Text`` (never markup),
and very long values are cut with a note saying how much was left out.
"""

from __future__ import annotations

import json
from typing import Any

from rich.highlighter import JSONHighlighter
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ircmd.domain.text import one_line, sanitize
from ircmd.domain.traces.spans import Span
from ircmd.tui.widgets.traces.span_format import KIND_GLYPH, KIND_STYLE, format_duration
from ircmd.tui.widgets.virtual import set_virtual_size

VALUE_LIMIT = 4_000
ATTR_LIMIT = 300
MESSAGE_LIMIT = 60
DOC_LIMIT = 50

_json = JSONHighlighter()


def _cut(s: str, limit: int = VALUE_LIMIT) -> tuple[str, int]:
    if len(s) <= limit:
        return s, 0
    return s[:limit], len(s) - limit


def _block(text: Text, value: str, style: str = "", indent: str = "  ") -> None:
    """Append a multi-line value, indented, control characters visible, cut when huge."""
    shown, more = _cut(value)
    body = sanitize(shown, keep_newlines=True)
    for line in body.split("\n"):
        text.append(indent)
        text.append(line, style)
        text.append("\n")
    if more:
        text.append(f"{indent}… {more:,} more characters not shown\n", "dim italic")


def pretty_json(value: Any) -> str:
    """``value`` as indented JSON (strings that hold JSON are parsed first)."""
    if isinstance(value, str):
        s = value.strip()
        if s[:1] in ("{", "[") and s[-1:] in ("}", "]"):
            try:
                value = json.loads(s)
            except ValueError:
                return s
        else:
            return value
    try:
        return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False, default=str)
    except (TypeError, ValueError):
        return str(value)


def _json_block(text: Text, value: Any, indent: str = "  ") -> None:
    shown, more = _cut(pretty_json(value))
    body = Text(sanitize(shown, keep_newlines=True))
    _json.highlight(body)
    for line in body.split("\n"):
        text.append(indent)
        text.append_text(line)
        text.append("\n")
    if more:
        text.append(f"{indent}… {more:,} more characters not shown\n", "dim italic")


def _heading(text: Text, title: str) -> None:
    text.append("\n")
    text.append(f"── {title} ", "bold")
    text.append("─" * max(2, 40 - len(title)), "dim")
    text.append("\n")


def _field(text: Text, label: str, value: object, style: str = "") -> None:
    if value is None or value == "":
        return
    text.append(f"{label} ", "dim")
    text.append(one_line(value, 400), style)
    text.append("   ")


ROLE_STYLE = {
    "system": "bold magenta",
    "developer": "bold magenta",
    "user": "bold green",
    "human": "bold green",
    "assistant": "bold cyan",
    "ai": "bold cyan",
    "model": "bold cyan",
    "tool": "bold yellow",
    "function": "bold yellow",
}


def _messages(text: Text, title: str, messages: tuple[Any, ...]) -> None:
    if not messages:
        return
    _heading(text, f"{title} ({len(messages)})")
    for msg in messages[:MESSAGE_LIMIT]:
        role = one_line(msg.role or "?", 24)
        text.append(f"{role}", ROLE_STYLE.get(role.lower(), "bold"))
        if msg.name:
            text.append(f" ({one_line(msg.name, 40)})", "dim")
        text.append("\n")
        if msg.content:
            _block(text, msg.content)
        for call in msg.tool_calls:
            text.append("  ⚒ tool call ", "yellow")
            text.append(one_line(call.name, 80), "bold yellow")
            if call.id:
                text.append(f"  id {one_line(call.id, 40)}", "dim")
            text.append("\n")
            if call.arguments:
                _json_block(text, call.arguments, indent="    ")
    if len(messages) > MESSAGE_LIMIT:
        text.append(f"… {len(messages) - MESSAGE_LIMIT} more messages not shown\n", "dim")


def span_detail_text(span: Span, trace_start_ns: int | None = None) -> Text:
    """The whole detail of ``span`` as one Text (pure: testable without a terminal)."""
    t = Text()
    kind = span.kind.value
    t.append(f"{KIND_GLYPH.get(kind, '·')} {kind}  ", KIND_STYLE.get(kind, ""))
    t.append(one_line(span.name, 200) or "(unnamed)", "bold")
    if span.is_error:
        t.append("   ✖ ERROR", "bold red")
        if span.status_message:
            t.append(": ")
            t.append(one_line(span.status_message, 300), "red")
    t.append("\n")
    _field(t, "duration", format_duration(span.end_ns - span.start_ns), "bold")
    if trace_start_ns is not None:
        _field(t, "starts at", "+" + format_duration(span.start_ns - trace_start_ns))
    _field(t, "status", span.status_code, "bold red" if span.is_error else "")
    _field(t, "service", span.service)
    t.append("\n")
    _field(t, "trace", span.trace_id, "dim")
    _field(t, "span", span.span_id, "dim")
    _field(t, "parent", span.parent_id or "—", "dim")
    t.append("\n")
    _field(t, "model", span.model, "bold cyan")
    _field(t, "provider", span.provider)
    if span.input_tokens is not None or span.output_tokens is not None:
        _field(t, "tokens in", span.input_tokens or 0, "cyan")
        _field(t, "out", span.output_tokens or 0, "cyan")
    if span.prompt_name or span.prompt_version:
        _field(t, "prompt", span.prompt_name or "?", "bold")
        _field(t, "version", span.prompt_version, "bold")
    _field(t, "conversation", span.conversation_id)
    _field(t, "user", span.user_id)
    t.append("\n")

    _messages(t, "Input messages", span.input_messages)
    _messages(t, "Output messages", span.output_messages)

    if span.tool_name or span.tool_arguments is not None or span.tool_result is not None:
        _heading(t, "Tool call")
        _field(t, "tool", span.tool_name or "?", "bold yellow")
        t.append("\n")
        if span.tool_arguments is not None:
            t.append("arguments\n", "dim")
            _json_block(t, span.tool_arguments)
        if span.tool_result is not None:
            t.append("result\n", "dim")
            _json_block(t, span.tool_result)

    docs = span.documents
    if docs or span.retrieval_source or span.retrieval_query:
        _heading(t, f"Retrieved documents ({len(docs)})")
        _field(t, "source", span.retrieval_source, "bold green")
        _field(t, "query", span.retrieval_query)
        t.append("\n")
        for i, doc in enumerate(docs[:DOC_LIMIT], 1):
            t.append(f"{i:>3}. ", "dim")
            t.append(one_line(doc.id or "(no id)", 120), "bold green")
            if doc.score is not None:
                t.append(f"  score {doc.score:.4g}", "cyan")
            t.append("\n")
            if doc.content:
                _block(t, doc.content, indent="     ")
            if doc.metadata:
                t.append("     metadata ", "dim")
                t.append(one_line(doc.metadata, 300), "dim")
                t.append("\n")
        if len(docs) > DOC_LIMIT:
            t.append(f"… {len(docs) - DOC_LIMIT} more documents not shown\n", "dim")

    if not span.input_messages and span.input_value:
        _heading(t, "Input")
        _json_block(t, span.input_value)
    if not span.output_messages and span.output_value and span.tool_result is None:
        _heading(t, "Output")
        _json_block(t, span.output_value)

    if span.events:
        _heading(t, f"Events ({len(span.events)})")
        for ev in span.events[:MESSAGE_LIMIT]:
            if trace_start_ns is not None:
                t.append(f"+{format_duration(ev.time_ns - trace_start_ns):>8} ", "dim")
            t.append(one_line(ev.name, 120), "bold red" if ev.name == "exception" else "bold")
            t.append("\n")
            for k, v in list(ev.attributes.items())[:40]:
                t.append(f"    {one_line(k, 80)} = ", "dim")
                _append_value(t, v)
    if span.links:
        _heading(t, f"Links ({len(span.links)})")
        for lk in span.links[:MESSAGE_LIMIT]:
            t.append(f"  trace {one_line(lk.trace_id, 40)} span {one_line(lk.span_id, 20)}\n")

    items = list(span.attr_items())
    _heading(t, f"Attributes ({len(items)})")
    for k, v in items[:ATTR_LIMIT]:
        t.append(one_line(k, 120), "cyan")
        t.append(" = ", "dim")
        _append_value(t, v)
    if len(items) > ATTR_LIMIT:
        t.append(f"… {len(items) - ATTR_LIMIT} more attributes not shown\n", "dim")
    if span.resource:
        _heading(t, "Resource")
        for k, v in list(span.resource.items())[:ATTR_LIMIT]:
            t.append(one_line(k, 120), "cyan")
            t.append(" = ", "dim")
            _append_value(t, v)
    return t


def _append_value(t: Text, v: Any) -> None:
    if isinstance(v, str) and "\n" not in v and len(v) <= 200:
        t.append(sanitize(v))
        t.append("\n")
        return
    if isinstance(v, bytes):
        t.append(f"<{len(v)} bytes>\n", "dim")
        return
    if isinstance(v, str):
        t.append("\n")
        _block(t, pretty_json(v), indent="    ")
        return
    if isinstance(v, list | dict):
        t.append("\n")
        _json_block(t, v, indent="    ")
        return
    t.append(sanitize(repr(v) if isinstance(v, float) else str(v)), "magenta")
    t.append("\n")


class SpanDetail(ScrollView, can_focus=True):
    """Shows one span's :func:`span_detail_text` with the Line API: a new span re-wraps
    the text once and redraws this widget only (no layout pass over the screen), so the
    detail can follow the tree's cursor without slowing it down."""

    DEFAULT_CSS = """
    SpanDetail { height: 1fr; }
    """
    BINDINGS = [
        Binding("j,down", "scroll_down", "Down", show=False, id="spandetail.down"),
        Binding("k,up", "scroll_up", "Up", show=False, id="spandetail.up"),
        Binding(
            "pagedown,ctrl+d,space", "page_down", "Page down", show=False, id="spandetail.pagedown"
        ),
        Binding("pageup,ctrl+u", "page_up", "Page up", show=False, id="spandetail.pageup"),
        Binding("g,home", "scroll_home", "Top", show=False, id="spandetail.top"),
        Binding("G,end", "scroll_end", "Bottom", show=False, id="spandetail.bottom"),
    ]

    EMPTY = "No span selected."

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._base_style = Style()
        self._text = Text(self.EMPTY, style="dim italic")
        self._lines: list[Text] | None = None
        self._strips: dict[int, Strip] = {}
        self._wrapped_at = -1

    @property
    def plain(self) -> str:
        """The whole detail as plain text (tests and copy helpers read it)."""
        return self._text.plain

    def show_span(self, span: Span | None, trace_start_ns: int | None = None) -> None:
        if span is None:
            self._text = Text(self.EMPTY, style="dim italic")
        else:
            self._text = span_detail_text(span, trace_start_ns)
        self._lines = None
        self._strips.clear()
        self.scroll_to(0, 0, animate=False, immediate=True)
        self._wrap()
        self.refresh()

    def _wrap(self) -> list[Text]:
        # twice at most: wrapped lines that need a scrollbar leave less width for the text;
        # wrapped again now, not when the first frame renders (a second layout pass then)
        for _ in range(2):
            width = max(10, self.scrollable_content_region.width or self.size.width or 80)
            if self._lines is not None and width == self._wrapped_at:
                break
            self._lines = list(self._text.wrap(self.app.console, width, overflow="fold"))
            self._wrapped_at = width
            self._strips.clear()
            set_virtual_size(self, Size(width, len(self._lines)))
        assert self._lines is not None
        return self._lines

    def on_resize(self) -> None:
        self._lines = None
        self._wrap()

    def render_lines(self, crop: Region) -> list[Strip]:
        self._base_style = self.rich_style  # once per frame, not once per line
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        lines = self._wrap()
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width or self.size.width
        base = self._base_style
        if index >= len(lines):
            return Strip.blank(width, base)
        strip = self._strips.get(index)
        if strip is None:
            segments = [
                Segment(seg.text, base + seg.style if seg.style else base)
                for seg in lines[index].render(self.app.console)
                if seg.text != "\n"
            ]
            strip = self._strips[index] = Strip(segments).adjust_cell_length(width, base)
        return strip
