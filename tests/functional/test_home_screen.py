"""Pilot tests of the incidents (home) screen: sort, filter, open-only, counts, and the
signals list fed by a REAL Alertmanager (declare / attach / acknowledge from the keyboard);
a dead, slow or garbage-answering Alertmanager is shown as such while keys keep working."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from textual.widgets import Input, Select

from ircmd.backends.protocols import SignalSource
from ircmd.backends.signals.alertmanager import AlertmanagerSource
from ircmd.domain.config import AlertmanagerSourceConfig
from ircmd.domain.incidents.listing import SortMode
from ircmd.domain.incidents.timeline import EventKind
from ircmd.service import IncidentService, Workspace
from ircmd.service.config import parse_config
from ircmd.service.signals.service import SignalService
from ircmd.store.tinydb.store import TinyDBIncidentStore
from ircmd.tui.app import IrcmdApp
from ircmd.tui.screens.incidents import IncidentsScreen
from ircmd.tui.widgets.incidents.incident_table import IncidentTable
from ircmd.tui.widgets.signals.signal_list import SignalList
from tests.functional.am_server import alertmanager, free_port, get_silence, post_alerts, run_id
from tests.support.configs import NAME, OWNER, support_refunds_toml
from tests.support.waiting import wait_until

CONFIG = 'author = "maria.ic"\n' + support_refunds_toml(name=NAME, owner=OWNER, risk_tier="high")


def workspace(tmp_path: Path, sources: list[SignalSource] | None) -> Workspace:
    config = parse_config(CONFIG)
    store = TinyDBIncidentStore(tmp_path / "store")
    svc = IncidentService(store=store, config=config, actor="maria.ic")
    ws = Workspace(config=config, data_dir=tmp_path, store=store, incidents=svc)
    ws.signals = SignalService(store, svc, config, sources=sources or [])
    return ws


def seed(ws: Workspace) -> None:
    svc = ws.incidents
    a, _ = svc.declare("Refund promises outside policy", severity="high", workflow_id=None)
    svc.declare("Ticket summaries drop order numbers", severity="low")
    c, _ = svc.declare("KB cited superseded travel policy", severity="critical")
    svc.set_status(c.id, "resolved")
    d, _ = svc.declare("Agent called tool with wrong account id", severity="medium")
    svc.set_status(d.id, "contained")
    svc.assign_role(a.id, "incident_lead", "maria.ic")


def home(app: IrcmdApp) -> IncidentsScreen:
    screen = app.screen
    assert isinstance(screen, IncidentsScreen)
    return screen


def table_ids(app: IrcmdApp) -> list[str]:
    return list(app.screen.query_one(IncidentTable)._ids)


def health(app: IrcmdApp) -> str:
    return str(app.screen.query_one("#signals-health").render())


def counts(app: IrcmdApp) -> str:
    return str(app.screen.query_one("#incident-counts").render())


# -- incidents: sort, filter, open only, counts --------------------------------------------------


async def test_sort_filter_open_only_and_counts(tmp_path: Path) -> None:
    ws = workspace(tmp_path, None)
    seed(ws)
    app = IrcmdApp(ws)
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_until(pilot, lambda: len(table_ids(app)) == 4)
        # open first (most severe first), then closed
        assert table_ids(app) == ["INC-0001", "INC-0004", "INC-0002", "INC-0003"]
        assert "3 open" in counts(app) and "1 closed" in counts(app)
        assert "high 1" in counts(app) and "critical 0" in counts(app)
        assert "no signal sources configured" in health(app)

        await pilot.press("s")
        assert home(app).sort_mode == SortMode.AGE
        assert table_ids(app) == ["INC-0004", "INC-0002", "INC-0001", "INC-0003"]
        await pilot.press("s")
        assert home(app).sort_mode == SortMode.STATUS
        assert table_ids(app)[:3] == ["INC-0001", "INC-0002", "INC-0004"]
        assert "sort: status" in counts(app)

        await pilot.press("o")
        assert "INC-0003" not in table_ids(app) and "open only" in counts(app)
        await pilot.press("o")
        assert "INC-0003" in table_ids(app)

        await pilot.press("slash")
        await pilot.press(*"refund")
        assert table_ids(app) == ["INC-0001"]
        assert home(app).sort_mode == SortMode.STATUS, "typing in the filter runs no hotkeys"
        await pilot.press("enter")
        assert isinstance(app.focused, IncidentTable)
        assert "refund" in counts(app) and "(1 shown)" in counts(app)
        await pilot.press("escape")
        assert len(table_ids(app)) == 4
        # signal actions are hidden without sources
        assert app.screen.check_action("declare_signal", ()) is False


async def test_read_only_hides_write_actions(tmp_path: Path) -> None:
    ws = workspace(tmp_path, None)
    ws.read_only = True
    app = IrcmdApp(ws)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        for action in ("declare", "declare_signal", "attach_signal", "ack_signal"):
            assert app.screen.check_action(action, ()) is False
        await pilot.press("n")
        assert isinstance(app.screen, IncidentsScreen), "no declare prompt in read-only"


# -- signals from a real Alertmanager ------------------------------------------------------------


@pytest.fixture(scope="module")
def am_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with alertmanager(tmp_path_factory.mktemp("alertmanager-home")) as url:
        yield url


def real_source(url: str, run: str, **kw: Any) -> AlertmanagerSource:
    cfg = AlertmanagerSourceConfig.model_validate(
        {"name": "alerts", "kind": "alertmanager", "url": url, "filter": [f'run="{run}"'], **kw}
    )
    return AlertmanagerSource(cfg)


def signal_rows(app: IrcmdApp) -> list[Any]:
    return list(app.screen.query_one(SignalList).signal_rows)


@pytest.mark.services
async def test_signals_declare_attach_ack_from_keys(tmp_path: Path, am_url: str) -> None:
    run = run_id()
    post_alerts(
        am_url,
        [
            {
                "labels": {
                    "alertname": "RefundAmountAnomaly",
                    "workflow": "support-refunds",
                    "severity": "page",
                    "run": run,
                },
                "annotations": {"summary": "refunds/h 4.1x baseline"},
            },
            {
                "labels": {"alertname": "ToolCallRateHigh", "severity": "warning", "run": run},
                "annotations": {"summary": "[@click=app.quit]x[/] \x1b]52;c;SGVsbG8=\x07"},
            },
        ],
    )
    ws = workspace(tmp_path, [real_source(am_url, run, interval=0.5)])
    app = IrcmdApp(ws)
    async with app.run_test(size=(160, 40)) as pilot:
        assert await wait_until(pilot, lambda: len(signal_rows(app)) == 2)
        assert all(r.mark.value == "new" for r in signal_rows(app))
        assert "● alerts" in health(app) and "2 alerts" in health(app)
        assert signal_rows(app)[0].signal.name == "RefundAmountAnomaly"  # page before warning

        # focus the list: the signal under the cursor counts as seen (persisted)
        app.screen.query_one(SignalList).focus()
        assert await wait_until(pilot, lambda: signal_rows(app)[0].mark.value == "seen")
        assert signal_rows(app)[1].mark.value == "new"
        assert ws.store.docs("signals.seen")

        # D: declare prefilled from the signal
        await pilot.press("D")
        assert await wait_until(pilot, lambda: type(app.screen).__name__ == "DeclarePrompt")
        title = app.screen.query_one("#declare-title", Input)
        assert title.value == "RefundAmountAnomaly: refunds/h 4.1x baseline"
        assert app.screen.query_one("#declare-severity", Select).value == "high"
        assert app.screen.query_one("#declare-workflow", Select).value == "support-refunds"
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: len(ws.incidents.list_incidents()) == 1)
        inc = ws.incidents.list_incidents()[0]
        events = ws.incidents.timeline(inc.id)
        assert events[0].kind == EventKind.SIGNAL
        assert events[0].data["labels"]["alertname"] == "RefundAmountAnomaly"
        assert await wait_until(pilot, lambda: type(app.screen).__name__ == "WarRoomScreen")
        app.switch_home()
        await pilot.pause()

        # A: attach the second signal to the open incident
        sl = app.screen.query_one(SignalList)
        sl.focus()
        sl.move_cursor(row=1)
        await pilot.pause()
        detail = str(app.screen.query_one("#signal-detail").render())
        assert "[@click=app.quit]x[/]" in detail, "alert text is shown literally, not as markup"
        assert "\x1b" not in detail and "\x07" not in detail and "␛" in detail
        await pilot.press("A")
        assert await wait_until(pilot, lambda: type(app.screen).__name__ == "PickPrompt")
        await pilot.press("enter")
        assert await wait_until(
            pilot,
            lambda: any(e.data.get("action") == "attached" for e in ws.incidents.timeline(inc.id)),
        )

        # S: acknowledge = a real silence under the incident
        await wait_until(pilot, lambda: isinstance(app.screen, IncidentsScreen))
        await pilot.press("S")
        assert await wait_until(pilot, lambda: type(app.screen).__name__ == "PickPrompt")
        await pilot.press("enter")
        signals = ws.signals
        assert isinstance(signals, SignalService)
        assert await wait_until(pilot, lambda: signals.silences_for(inc.id))
        rec = signals.silences_for(inc.id)[0]
        upstream = get_silence(am_url, rec.silence_id)
        assert upstream["createdBy"] == "maria.ic" and inc.id in upstream["comment"]
        assert await wait_until(
            pilot,
            lambda: any(r.signal.state.value == "suppressed" for r in signal_rows(app)),
        )
        signals.expire_silences(inc.id)


# -- faults: down, slow, garbage -------------------------------------------------------------------


class SlowServer:
    """A real TCP endpoint that accepts and never answers (a hung Alertmanager)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.conns: list[socket.socket] = []
        self._stop = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        self.sock.settimeout(0.1)
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
                self.conns.append(conn)
            except OSError:
                continue

    def close(self) -> None:
        self._stop = True
        self.thread.join(timeout=2)
        for c in self.conns:
            c.close()
        self.sock.close()


@pytest.mark.parametrize("fault", ["down", "slow", "garbage"])
async def test_broken_alertmanager_is_shown_and_keys_keep_working(
    tmp_path: Path, fault: str
) -> None:
    slow: SlowServer | None = None
    if fault == "down":
        src = real_source(f"http://127.0.0.1:{free_port()}", "x", timeout=1)
        expected = "cannot connect"
    elif fault == "slow":
        slow = SlowServer()
        src = real_source(f"http://127.0.0.1:{slow.port}", "x", timeout=5)
        expected = "no answer within"
    else:
        cfg = AlertmanagerSourceConfig(name="alerts", kind="alertmanager", url="http://am.test")
        src = AlertmanagerSource(
            cfg,
            transport=httpx.MockTransport(lambda r: httpx.Response(200, text="<html>oops")),
        )
        expected = "not JSON"
    ws = workspace(tmp_path, [src])
    seed(ws)
    app = IrcmdApp(ws)
    try:
        async with app.run_test(size=(140, 36)) as pilot:
            await wait_until(pilot, lambda: len(table_ids(app)) == 4)
            # keys are handled while the poll is still in flight (a hung source: surely)
            in_flight = home(app)._polling
            await pilot.press("s")
            await pilot.press("o")
            assert home(app).sort_mode == SortMode.AGE and home(app).open_only
            if fault == "slow":
                assert in_flight and home(app)._polling, "keys did not wait for the poll"
            assert await wait_until(pilot, lambda: "DOWN" in health(app), timeout=20)
            text = health(app)
            assert expected in text and "alerts" in text
            assert "Traceback" not in text
            await pilot.press("o")
            assert not home(app).open_only
            assert len(table_ids(app)) == 4
    finally:
        if slow is not None:
            slow.close()


@pytest.mark.services
async def test_resolving_offers_to_expire_silences(tmp_path: Path, am_url: str) -> None:
    from ircmd.tui.screens.signals.silences import ExpireSilencesPrompt, offer_expire_silences

    run = run_id()
    post_alerts(am_url, [{"labels": {"alertname": "RefundAmountAnomaly", "run": run}}])
    ws = workspace(tmp_path, [real_source(am_url, run)])
    signals = ws.signals
    assert isinstance(signals, SignalService)
    sig = signals.poll().signals[0]
    inc, _ = signals.declare_from_signal(sig)
    rec = signals.acknowledge(sig, inc.id)
    ws.incidents.set_status(inc.id, "resolved")
    app = IrcmdApp(ws)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        offer_expire_silences(app, inc.id)  # type: ignore[arg-type]
        assert await wait_until(pilot, lambda: isinstance(app.screen, ExpireSilencesPrompt))
        prompt_text = " ".join(str(w.render()) for w in app.screen.query("Label, Static"))
        assert "RefundAmountAnomaly" in prompt_text and rec.silence_id in prompt_text
        await pilot.press("y")
        assert await wait_until(pilot, lambda: not signals.silences_for(inc.id))
        assert get_silence(am_url, rec.silence_id)["status"]["state"] == "expired"
        # nothing left: a second offer asks nothing
        offer_expire_silences(app, inc.id)  # type: ignore[arg-type]
        lookups = [w for w in app.workers if w.group == "silences"]
        await app.workers.wait_for_complete(lookups)  # the lookup found nothing
        await pilot.pause()  # a message it might have posted is handled
        assert not isinstance(app.screen, ExpireSilencesPrompt)


async def test_n_then_a_title_typed_at_once_all_reach_the_prompt(tmp_path: Path) -> None:
    """No key lost while the declare prompt opens: ``n`` and the title in one burst (no
    pause between them) land in the prompt's title, none on the incidents list."""
    from textual.widgets import Input

    from ircmd.tui.screens.dialogs.prompt import DeclarePrompt

    app = IrcmdApp(workspace(tmp_path, None))
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        title = "Refund promises over limit"
        await pilot.press("n", *("space" if c == " " else c for c in title))
        await wait_until(pilot, lambda: isinstance(app.screen, DeclarePrompt))
        await pilot.pause()
        box = app.screen.focused
        assert isinstance(box, Input)
        assert box.value == title
