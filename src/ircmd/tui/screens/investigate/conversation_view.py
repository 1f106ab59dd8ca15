"""A conversation as turns (``c`` on a span in the trace explorer).

All traces naming the span's conversation/session id, oldest first, as turns: the user's
input, the assistant's output, the tool calls requested and executed with their arguments,
retrievals, guardrail verdicts, errors, tokens, cost and duration. Long text is cut to
``PREVIEW`` characters; ``enter`` shows the turn under the cursor in full. ``p`` pins the
turn's LLM call (or its first span) as evidence. Built by a worker; nothing here does I/O."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from ircmd.domain.text import one_line
from ircmd.domain.traces.conversation import Conversation, Turn, build_conversation
from ircmd.domain.traces.spans import Span, SpanKind
from ircmd.service.workspace import Workspace

PREVIEW = 160


class ConversationBuilt(Message, bubble=False):
    def __init__(self, conversation: Conversation, spans_by_trace: dict[str, list[Span]]) -> None:
        super().__init__()
        self.conversation = conversation
        self.spans_by_trace = spans_by_trace


class ConversationNotice(Message, bubble=False):
    def __init__(self, text: str, severity: str = "information") -> None:
        super().__init__()
        self.text = text
        self.severity = severity


def _cut(text: str, full: bool) -> tuple[str, bool]:
    """The text as one safe line, cut to ``PREVIEW`` unless ``full``; and whether it was cut."""
    line = one_line(text, 100_000)
    if full or len(line) <= PREVIEW:
        return line, False
    return line[: PREVIEW - 1] + "…", True


def render_turn(n: int, turn: Turn, full: bool = False) -> Text:
    """One turn as a few lines of plain (never markup) text."""
    out = Text()
    cost = "unpriced" if turn.cost_usd is None else f"${turn.cost_usd:.6f}"
    out.append(f"#{n} ", "bold")
    out.append(f"trace {turn.trace_id[:12]}", "dim")
    if turn.user_id:
        out.append(f"  user {one_line(turn.user_id, 40)}", "cyan")
    out.append(
        f"  {turn.duration_ms} ms · {turn.tokens['input']}→{turn.tokens['output']} tok · {cost}",
        "dim",
    )
    cut_any = False
    for role, text, style in (
        ("user", turn.input, "bold cyan"),
        ("assistant", turn.output, "bold green"),
    ):
        if not text:
            continue
        body, cut = _cut(text, full)
        cut_any |= cut
        out.append(f"\n  {role}: ", style)
        out.append(body)
    for call in turn.tool_calls:
        args, cut = _cut(_json(call.get("arguments")), full)
        cut_any |= cut
        state = str(call.get("invocation") or "requested")
        out.append("\n  tool ", "bold magenta")
        out.append(one_line(str(call.get("name") or "?"), 60), "magenta")
        out.append(f" ({one_line(state, 20)}) ", "dim")
        out.append(args)
    for r in turn.retrievals:
        out.append("\n  retrieval ", "bold blue")
        out.append(one_line(_json(r), 200 if not full else 100_000))
    for g in turn.guardrails:
        out.append("\n  guardrail ", "bold yellow")
        out.append(one_line(_json(g), 200 if not full else 100_000))
    for e in turn.errors:
        out.append("\n  error ", "bold red")
        out.append(one_line(_json(e), 200 if not full else 100_000), "red")
    if cut_any:
        out.append("\n  … enter shows the whole turn", "dim italic")
    return out


def _json(v: Any) -> str:
    import json

    if isinstance(v, str):
        return v
    try:
        return json.dumps(v, ensure_ascii=False, sort_keys=True, default=str)
    except (TypeError, ValueError):
        return repr(v)


class ConversationScreen(Screen[None]):
    """The turns of one conversation; ``enter`` expands a turn, ``p`` pins its LLM call."""

    DEFAULT_CSS = """
    ConversationScreen #conv-header { height: 1; background: $panel; }
    ConversationScreen #conv-turns { height: 1fr; }
    """
    BINDINGS = [
        # priority: the turn list's own enter (select, hidden) would hide it from the footer
        Binding("enter", "expand", "Expand/collapse", id="conversation.expand", priority=True),
        Binding("p", "pin", "Pin turn", id="conversation.pin"),
        Binding("escape,minus", "close", "Back", id="conversation.close"),
    ]
    AUTO_FOCUS = "#conv-turns"

    def __init__(
        self,
        workspace: Workspace | None,
        incident_id: str | None,
        spans: Sequence[Span],
        conversation_id: str,
        source: str,
        cost: Callable[[Span], float | None] | None = None,
        extra_keys: Sequence[str] = (),
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.incident_id = incident_id
        self.spans = list(spans)
        self.conversation_id = conversation_id
        self.source = source
        self.cost = cost
        self.extra_keys = tuple(extra_keys)
        self.conversation: Conversation | None = None
        self.spans_by_trace: dict[str, list[Span]] = {}
        self.expanded: set[int] = set()

    def compose(self) -> ComposeResult:
        yield Static(id="conv-header")
        yield OptionList(id="conv-turns")
        yield Footer()

    @property
    def turns(self) -> OptionList:
        return self.query_one("#conv-turns", OptionList)

    def on_mount(self) -> None:
        self.query_one("#conv-header", Static).update(Text("reading the conversation…", "dim"))
        self._build()

    @work(thread=True, exclusive=True, group="conversation-build", exit_on_error=False)
    def _build(self) -> None:
        cost = self.cost
        if cost is None and self.workspace is not None:
            from ircmd.domain.traces.cost import pricer_from_config

            prices = {k: v.model_dump() for k, v in self.workspace.config.prices.items()}
            cost = pricer_from_config(prices).usd
        try:
            conv = build_conversation(
                self.spans, self.conversation_id, cost or (lambda s: None), self.extra_keys
            )
        except Exception as exc:  # worker: untrusted spans; any failure is one line
            self.post_message(ConversationNotice(f"Conversation failed: {exc}", "error"))
            return
        wanted = {t.trace_id for t in conv.turns}
        by_trace: dict[str, list[Span]] = {}
        for s in self.spans:
            if s.trace_id in wanted:
                by_trace.setdefault(s.trace_id, []).append(s)
        self.post_message(ConversationBuilt(conv, by_trace))

    def on_conversation_built(self, message: ConversationBuilt) -> None:
        self.conversation = conv = message.conversation
        self.spans_by_trace = message.spans_by_trace
        d = conv.to_dict()
        head = Text(no_wrap=True, overflow="ellipsis")
        head.append("conversation ", "bold")
        head.append(one_line(conv.conversation_id, 60))
        cost = "unpriced" if d["cost_usd"] is None else f"${d['cost_usd']:.6f}"
        head.append(
            f"  {len(conv.turns)} turn{'' if len(conv.turns) == 1 else 's'} · "
            f"users {len(conv.user_ids)} · "
            f"{d['tokens']['input']}→{d['tokens']['output']} tok · {cost}",
            "dim",
        )
        self.query_one("#conv-header", Static).update(head)
        self.turns.add_options(
            [Option(render_turn(i + 1, t), id=str(i)) for i, t in enumerate(conv.turns)]
        )
        if conv.turns:
            self.turns.highlighted = 0

    def action_expand(self) -> None:
        i = self.turns.highlighted
        if self.conversation is None or i is None:
            return
        full = i not in self.expanded
        (self.expanded.add if full else self.expanded.discard)(i)
        self.turns.replace_option_prompt_at_index(
            i, render_turn(i + 1, self.conversation.turns[i], full)
        )

    def on_option_list_option_selected(self, _event: OptionList.OptionSelected) -> None:
        self.action_expand()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pin":
            ws = self.workspace
            return None if ws is None or ws.read_only or not self.incident_id else True
        return True

    def turn_span(self, i: int) -> Span | None:
        """The span ``p`` pins for turn ``i``: its first LLM call, else its first span."""
        if self.conversation is None or not 0 <= i < len(self.conversation.turns):
            return None
        spans = sorted(
            self.spans_by_trace.get(self.conversation.turns[i].trace_id, []),
            key=lambda s: (s.start_ns, s.span_id),
        )
        llm = [s for s in spans if s.kind is SpanKind.LLM]
        chosen = llm or spans
        return chosen[0] if chosen else None

    def action_pin(self) -> None:
        i = self.turns.highlighted
        span = self.turn_span(i if i is not None else -1)
        if span is None:
            self.notify("No turn under the cursor.", markup=False, timeout=3)
            return
        self._pin(span)

    @work(thread=True, group="conversation-pin", exit_on_error=False)
    def _pin(self, span: Span) -> None:
        from ircmd.service.traces.service import TraceService

        assert self.workspace is not None and self.incident_id is not None
        try:
            svc = TraceService.for_workspace(self.workspace)
            doc = svc.pin_span(self.incident_id, span, span.origin or self.source)
        except Exception as exc:  # worker: any failure is one line, never a silent stop
            self.post_message(ConversationNotice(f"Pin failed: {exc}", "error"))
            return
        self.post_message(
            ConversationNotice(
                f"Pinned {doc.get('id', '')} (span {span.span_id}) to {self.incident_id}"
            )
        )

    def on_conversation_notice(self, message: ConversationNotice) -> None:
        self.notify(one_line(message.text, 400), severity=message.severity, markup=False)  # type: ignore[arg-type]

    def action_close(self) -> None:
        self.app.pop_screen()
