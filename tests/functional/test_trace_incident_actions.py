"""From the trace explorer to the incident: pin evidence, blast radius, records to correct."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input, Static

from ircmd.backends.traces.files import FileTraceSource
from ircmd.domain.incidents.timeline import sha256_hex
from ircmd.service import Workspace
from ircmd.service.config import parse_config
from ircmd.service.traces.service import TraceService
from ircmd.tui.screens.warroom.panes.trace_dialogs import ChoiceDialog, RecordsDialog, SimilarDialog
from ircmd.tui.screens.warroom.panes.traces import TracePane
from ircmd.tui.trace_app import TraceViewApp
from tests.support.traces import loaded_trace_pane, open_trace_id
from tests.support.waiting import settle, shown, wait_until
from tests.trace_ui_samples import hostile_trace, refund_trace, write_otlp

loaded = loaded_trace_pane


def spans_file(tmp_path: Path) -> Path:
    spans = refund_trace() + refund_trace("d" * 32, account="ACC-2", user="u-2")
    return write_otlp(tmp_path / "refunds.json", spans + hostile_trace())


async def test_pin_copies_the_span_with_its_hash_and_a_timeline_event(
    workspace: Workspace, tmp_path: Path
) -> None:
    inc, _ = workspace.incidents.declare("Refunds outside policy", severity="high")
    path = spans_file(tmp_path)
    app = TraceViewApp(workspace, [FileTraceSource("files", [str(path)])], incident_id=inc.id)
    async with app.run_test(size=(150, 45)) as pilot:
        pane = await loaded(pilot)
        pane.open_trace("a" * 32)
        await wait_until(pilot, lambda: open_trace_id(pane) == "a" * 32)
        await pilot.press("e")  # the failing refund tool call
        span = pane.current_span
        assert span is not None and span.tool_name == "issue_refund"
        await pilot.press("p")
        svc = TraceService.for_workspace(workspace)
        await wait_until(pilot, lambda: bool(svc.evidence(inc.id)))
        (doc,) = svc.evidence(inc.id)
        assert doc["span_id"] == span.span_id
        assert doc["sha256"] == sha256_hex(span.canonical_json())
        assert doc["source"].endswith("refunds.json")
        events = workspace.incidents.timeline(inc.id)
        assert events[-1].kind.value == "evidence_pinned"
        # the evidence outlives the file
        path.unlink()
        assert svc.evidence_span(doc).span_id == span.span_id
        # a hostile span pins too; the notification shows it literally
        pane.open_trace("b" * 32)
        await wait_until(pilot, lambda: open_trace_id(pane) == "b" * 32)
        await pilot.press("g", "p")
        await wait_until(pilot, lambda: len(svc.evidence(inc.id)) == 2)
        assert app.is_running


async def test_find_similar_shows_the_blast_radius_and_records_it(
    workspace: Workspace, tmp_path: Path
) -> None:
    inc, _ = workspace.incidents.declare("Refunds outside policy", severity="high")
    path = spans_file(tmp_path)
    app = TraceViewApp(workspace, [FileTraceSource("files", [str(path)])], incident_id=inc.id)
    async with app.run_test(size=(150, 45)) as pilot:
        pane = await loaded(pilot)
        pane.open_trace("a" * 32)
        await wait_until(pilot, lambda: open_trace_id(pane) == "a" * 32)
        await pilot.press("e", "f")  # a tool span: the only dimension is "same tool"
        await wait_until(pilot, lambda: isinstance(app.screen, SimilarDialog))
        dialog = app.screen
        assert isinstance(dialog, SimilarDialog)
        assert (dialog.result.traces, dialog.result.users) == (2, 2)
        body = str(dialog.query_one("#similar-body", Static).visual)
        assert "a segment" in body or "the whole system" in body
        # the blast radius's cost: the matched traces' model spend, priced like trace find
        from ircmd.domain.traces.cost import Pricer
        from ircmd.domain.traces.otlp import parse_document

        spans = parse_document(json.loads(path.read_text("utf-8")), "x").spans
        matched = set(dialog.result.trace_ids)
        spend = Pricer().breakdown(s for s in spans if s.trace_id in matched)
        assert spend.total_usd > 0 and dialog.cost == (spend.total_usd, len(spend.unpriced))
        assert f"cost ${spend.total_usd:,.6f} model spend of the matched traces" in body
        await pilot.press("r")
        await wait_until(
            pilot, lambda: workspace.incidents.timeline(inc.id)[-1].kind.value == "finding"
        )
        ev = workspace.incidents.timeline(inc.id)[-1]
        assert ev.data["traces"] == 2 and ev.data["users"] == 2
        # on an LLM span several dimensions are offered
        await pilot.press("k")  # the chat span above the tool call
        assert pane.current_span is not None and pane.current_span.model == "gpt-4o"
        await pilot.press("f")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        await pilot.press("escape")
        assert not isinstance(app.screen, ChoiceDialog)


async def test_records_to_correct_checklist_ticks_and_exports_csv(
    workspace: Workspace, tmp_path: Path
) -> None:
    inc, _ = workspace.incidents.declare("Refunds outside policy", severity="high")
    path = spans_file(tmp_path)
    app = TraceViewApp(workspace, [FileTraceSource("files", [str(path)])], incident_id=inc.id)
    async with app.run_test(size=(150, 45)) as pilot:
        pane = await loaded(pilot)
        pane.open_trace("a" * 32)
        await wait_until(pilot, lambda: open_trace_id(pane) == "a" * 32)
        await pilot.press("e", "x")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        await pilot.press("enter")  # the first argument: account_id
        await wait_until(pilot, lambda: isinstance(app.screen, RecordsDialog))
        svc = TraceService.for_workspace(workspace)
        (checklist,) = svc.checklists(inc.id)
        assert checklist["argument"] == "account_id"
        assert sorted(i["value"] for i in checklist["items"]) == ["ACC-1", "ACC-2"]
        await pilot.press("space")
        await wait_until(pilot, lambda: any(i["done"] for i in svc.checklists(inc.id)[0]["items"]))
        await pilot.press("c")
        await wait_until(pilot, lambda: shown(app, Input))
        box = app.screen.query_one(Input)
        target = tmp_path / "records.csv"
        box.value = str(target)
        await pilot.press("enter")
        await wait_until(pilot, lambda: target.exists())
        lines = target.read_text().splitlines()
        assert lines[0].startswith("tool,argument,value")
        assert any(",yes," in line for line in lines[1:])


async def test_read_only_hides_pin_and_writes_nothing(workspace: Workspace, tmp_path: Path) -> None:
    inc, _ = workspace.incidents.declare("Refunds outside policy", severity="high")
    workspace.read_only = True
    path = spans_file(tmp_path)
    app = TraceViewApp(workspace, [FileTraceSource("files", [str(path)])], incident_id=inc.id)
    async with app.run_test(size=(150, 45)) as pilot:
        pane = await loaded(pilot)
        await pilot.press("p")
        await settle(pilot, ignore_groups={"trace-sources"})  # whatever p started has run
        assert TraceService.for_workspace(workspace).evidence(inc.id) == []
        assert "traces.pin" not in {
            b.binding.id for b in app.screen.active_bindings.values() if b.enabled
        }
        assert pane.read_only


class PaneApp(App[None]):
    """The war-room engineer's view of the pane: mounted with (workspace, incident_id)."""

    def __init__(self, workspace: Workspace, incident_id: str) -> None:
        super().__init__()
        self.workspace = workspace
        self.incident_id = incident_id

    def compose(self) -> ComposeResult:
        yield TracePane(self.workspace, self.incident_id)


async def test_pane_standalone_reads_the_configured_sources(tmp_path: Path) -> None:
    path = spans_file(tmp_path)
    config = parse_config(
        f'[[trace_sources]]\nname = "local"\nkind = "files"\npaths = [{json.dumps(str(path))}]\n',
        "<test>",
    )
    ws = Workspace.open(config, tmp_path / "data", actor="tester")
    inc, _ = ws.incidents.declare("Refunds outside policy", severity="high")
    try:
        app = PaneApp(ws, inc.id)
        async with app.run_test(size=(150, 45)) as pilot:
            pane = await loaded(pilot)
            assert len(pane.index) == 3
            assert pane.query_one("#trace-list").display
            status = str(pane.query_one("#trace-status", Static).visual)
            assert f"evidence → {inc.id}" in status
    finally:
        ws.close()


async def test_pane_without_sources_says_how_to_get_some(workspace: Workspace) -> None:
    app = PaneApp(workspace, "INC-0001")
    async with app.run_test(size=(150, 45)) as pilot:
        pane = app.query_one(TracePane)
        await wait_until(
            pilot, lambda: "no trace source" in str(pane.query_one("#trace-status", Static).visual)
        )


CONTROLS = [chr(c) for c in range(0x20) if chr(c) != "\n"] + [chr(c) for c in range(0x7F, 0xA0)]


def similar_dialog(app: App[Any]) -> SimilarDialog | None:
    return app.screen if isinstance(app.screen, SimilarDialog) else None


def screen_text(app: App[Any]) -> str:
    """Every line the current screen draws, as plain text."""
    from textual.strip import Strip

    lines = []
    for widget in app.screen.walk_children(Widget):
        if not widget.display or not widget.size.height:
            continue
        for y in range(widget.size.height):
            try:
                strip = widget.render_line(y)
            except Exception:
                continue
            if isinstance(strip, Strip):
                lines.append(strip.text)
        visual = getattr(widget, "visual", None)
        if visual is not None:
            lines.append(getattr(visual, "plain", "") or str(visual))
    return "\n".join(lines)


async def click_everywhere(pilot: Pilot[Any]) -> None:
    width, height = pilot.app.size
    for y in range(1, height, 4):
        for x in range(2, width, 29):
            await pilot.click(offset=(x, y))


async def test_dialogs_show_hostile_trace_text_literally(
    workspace: Workspace, tmp_path: Path
) -> None:
    inc, _ = workspace.incidents.declare("Hostile", severity="low")
    path = write_otlp(tmp_path / "evil.json", hostile_trace() + hostile_trace("e" * 32))
    app = TraceViewApp(workspace, [FileTraceSource("files", [str(path)])], incident_id=inc.id)
    async with app.run_test(size=(150, 45)) as pilot:
        pane = await loaded(pilot)
        await pilot.press("g", "f")  # find similar on the hostile tool span
        await wait_until(pilot, lambda: isinstance(app.screen, SimilarDialog))
        text = screen_text(app)
        assert "[@click=app.quit]x[/]" in text
        await click_everywhere(pilot)
        assert app.is_running
        await pilot.press("x")  # records to correct from the blast radius dialog
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        assert "[@click=app.quit]x[/]" in screen_text(app)  # an argument named with markup
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, RecordsDialog))
        text = screen_text(app)
        assert "[@click=app.quit]x[/]" in text
        assert not [c for c in CONTROLS if c in text]
        await click_everywhere(pilot)
        await pilot.press("space")  # tick a hostile value: stored and redrawn literally
        svc = TraceService.for_workspace(workspace)
        await wait_until(pilot, lambda: any(i["done"] for i in svc.checklists(inc.id)[0]["items"]))
        assert app.is_running and app.return_code is None
        await pilot.press("escape")
        # a search for markup is data too
        await pilot.press("slash", *"[/]", "enter")
        await wait_until(pilot, lambda: pane.span_tree.filtered)
        assert "[/]" in str(pane.query_one("#trace-status", Static).visual)
        assert app.is_running


async def test_command_line_verbs_take_their_argument(workspace: Workspace, tmp_path: Path) -> None:
    """What the war room's ``:find BY`` / ``:records ARG`` / ``:pin`` run on the pane."""
    inc, _ = workspace.incidents.declare("Refunds outside policy", severity="high")
    path = spans_file(tmp_path)
    app = TraceViewApp(workspace, [FileTraceSource("files", [str(path)])], incident_id=inc.id)
    async with app.run_test(size=(150, 45)) as pilot:
        pane = await loaded(pilot)
        pane.open_trace("a" * 32)
        await wait_until(pilot, lambda: open_trace_id(pane) == "a" * 32)
        await pilot.press("e", "k")  # the LLM span: several dimensions
        await pane.run_action("find_similar('model')")
        dialog = await wait_until(pilot, lambda: similar_dialog(app))
        assert dialog.result.query.model == "gpt-4o"
        await pilot.press("escape")
        # The LLM span's output requests a tool call: since requested calls are tool
        # invocations, "similar by tool" is a real question here and opens the dialog.
        await pane.run_action("find_similar('tool')")
        dialog = await wait_until(pilot, lambda: similar_dialog(app))
        assert dialog.result.query.tool
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, SimilarDialog))
        await pilot.press("j")
        await pane.run_action("records('amount')")
        await wait_until(pilot, lambda: isinstance(app.screen, RecordsDialog))
        await pilot.press("escape")
        await pane.run_action("pin")
        svc = TraceService.for_workspace(workspace)
        await wait_until(pilot, lambda: bool(svc.evidence(inc.id)))
