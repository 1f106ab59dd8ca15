"""Against a REAL Prometheus Alertmanager: list, filter, silences, resolved alerts, and the
whole declare / acknowledge / expire loop through the service and the CLI."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from ircmd.backends.signals.alertmanager import AlertmanagerSource
from ircmd.cli import main
from ircmd.domain.config import AlertmanagerSourceConfig, Config
from ircmd.domain.incidents.timeline import EventKind
from ircmd.domain.signals.signals import SignalState, silence_request
from ircmd.service.incidents.service import IncidentService
from ircmd.service.signals.service import SignalService
from ircmd.store.tinydb.store import TinyDBIncidentStore
from tests.functional.am_server import (
    alertmanager,
    free_port,
    get_alerts,
    get_silence,
    post_alerts,
    resolve_alert,
    run_id,
)
from tests.support.waiting import poll_until

pytestmark = pytest.mark.services


@pytest.fixture(scope="module")
def am_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with alertmanager(tmp_path_factory.mktemp("alertmanager")) as url:
        yield url


def am_source(url: str, run: str, *extra: str, name: str = "alerts") -> AlertmanagerSource:
    cfg = AlertmanagerSourceConfig(
        name=name, kind="alertmanager", url=url, filter=[f'run="{run}"', *extra], timeout=5
    )
    return AlertmanagerSource(cfg)


def alert(run: str, name: str, **labels: str) -> dict[str, Any]:
    return {
        "labels": {"alertname": name, "run": run, **labels},
        "annotations": {"summary": f"{name} is firing", "runbook": "[@click=app.quit]x[/]"},
        "generatorURL": "http://prometheus.test/graph",
    }


def service(tmp_path: Path, url: str, run: str) -> SignalService:
    store = TinyDBIncidentStore(tmp_path / "store")
    config = Config()
    incidents = IncidentService(store=store, config=config, actor="maria.ic")
    return SignalService(store, incidents, config, sources=[am_source(url, run)])


def test_list_and_filter(am_url: str) -> None:
    run = run_id()
    post_alerts(
        am_url,
        [
            alert(run, "RefundAmountAnomaly", workflow="support-refunds", severity="page"),
            alert(run, "ToolCallRateHigh", workflow="support-refunds", severity="warning"),
            alert(run, "KBLatencyHigh", workflow="kb-assistant", severity="info"),
        ],
    )
    everything = asyncio.run(am_source(am_url, run).fetch_signals())
    assert {s.name for s in everything} == {
        "RefundAmountAnomaly",
        "ToolCallRateHigh",
        "KBLatencyHigh",
    }
    filtered = asyncio.run(am_source(am_url, run, 'workflow="support-refunds"').fetch_signals())
    assert {s.name for s in filtered} == {"RefundAmountAnomaly", "ToolCallRateHigh"}
    s = next(x for x in filtered if x.name == "RefundAmountAnomaly")
    assert s.state == SignalState.FIRING
    assert len(s.fingerprint) == 16
    assert s.labels["severity"] == "page"
    assert s.annotations["runbook"] == "[@click=app.quit]x[/]"
    assert s.generator_url == "http://prometheus.test/graph"
    assert s.starts_at is not None and s.ends_at is not None and s.ends_at > s.starts_at


def test_bad_filter_is_one_line(am_url: str) -> None:
    src = am_source(am_url, run_id(), "this is not a matcher")
    with pytest.raises(Exception) as err:
        asyncio.run(src.fetch_signals())
    assert "HTTP 400" in str(err.value) and "\n" not in str(err.value)


def test_silence_create_and_expire_round_trip(am_url: str) -> None:
    run = run_id()
    post_alerts(am_url, [alert(run, "RefundAmountAnomaly", severity="page")])
    src = am_source(am_url, run)
    sig = asyncio.run(src.fetch_signals())[0]
    from datetime import UTC, datetime

    req = silence_request(sig, "INC-0042", "maria.ic", datetime.now(UTC), timedelta(hours=1))
    silence_id = asyncio.run(src.create_silence(req))
    got = get_silence(am_url, silence_id)
    assert got["status"]["state"] == "active"
    assert got["createdBy"] == "maria.ic"
    assert "INC-0042" in got["comment"]
    assert {m["name"]: m["value"] for m in got["matchers"]} == sig.labels

    def suppressed() -> bool:
        return asyncio.run(src.fetch_signals())[0].state == SignalState.SUPPRESSED

    assert poll_until(suppressed), "the silenced alert shows as suppressed"
    asyncio.run(src.expire_silence(silence_id))
    assert get_silence(am_url, silence_id)["status"]["state"] == "expired"

    def firing() -> bool:
        return asyncio.run(src.fetch_signals())[0].state == SignalState.FIRING

    assert poll_until(firing)


def test_resolved_alert_is_shown_resolved(tmp_path: Path, am_url: str) -> None:
    run = run_id()
    labels = {"alertname": "EvalPassRateDrop", "run": run}
    post_alerts(am_url, [alert(run, "EvalPassRateDrop"), alert(run, "StillFiring")])
    svc = service(tmp_path, am_url, run)
    first = svc.poll()
    assert {s.name for s in first.diff.new} == {"EvalPassRateDrop", "StillFiring"}
    resolve_alert(am_url, labels)
    assert poll_until(lambda: len(get_alerts(am_url, f'run="{run}"')) == 1)
    second = svc.poll()
    assert [s.name for s in second.diff.resolved] == ["EvalPassRateDrop"]
    states = {s.name: s.state for s in second.signals}
    assert states == {"EvalPassRateDrop": SignalState.RESOLVED, "StillFiring": SignalState.FIRING}


def test_declare_acknowledge_resolve_expire(tmp_path: Path, am_url: str) -> None:
    run = run_id()
    post_alerts(am_url, [alert(run, "RefundAmountAnomaly", workflow="support-refunds")])
    svc = service(tmp_path, am_url, run)
    sig = svc.find(svc.poll().signals[0].fingerprint[:8])
    inc, events = svc.declare_from_signal(sig)
    assert inc.title == "RefundAmountAnomaly: RefundAmountAnomaly is firing"
    assert inc.workflow_id == "support-refunds"
    assert events[0].kind == EventKind.SIGNAL and events[0].seq == 1
    assert events[0].data["fingerprint"] == sig.fingerprint
    assert events[0].data["labels"]["run"] == run

    rec = svc.acknowledge(sig, inc.id, timedelta(minutes=30))
    upstream = get_silence(am_url, rec.silence_id)
    assert upstream["status"]["state"] == "active"
    assert upstream["createdBy"] == "maria.ic"
    assert inc.id in upstream["comment"]
    assert [r.silence_id for r in svc.silences_for(inc.id)] == [rec.silence_id]
    timeline = svc.incidents.timeline(inc.id)
    assert timeline[-1].data["action"] == "silenced"
    assert timeline[-1].data["silence_id"] == rec.silence_id
    board = svc.poll()
    assert board.incidents_of(sig) == [inc.id]
    assert poll_until(lambda: svc.poll().signals[0].state == SignalState.SUPPRESSED)
    assert svc.board().mark(svc.board().signals[0]).value == "seen", "own ack is not news"

    svc.incidents.set_status(inc.id, "resolved")
    outcomes = svc.expire_silences(inc.id)
    assert [(o.silence_id, o.ok) for o in outcomes] == [(rec.silence_id, True)]
    assert get_silence(am_url, rec.silence_id)["status"]["state"] == "expired"
    assert svc.silences_for(inc.id) == []
    assert len(svc.silences_for(inc.id, active_only=False)) == 1
    last = svc.incidents.timeline(inc.id)[-1]
    assert last.data["action"] == "silence_expired"
    assert svc.store.verify() == []
    # expiring again is a no-op, and an already-deleted silence is recorded as gone
    assert svc.expire_silences(inc.id) == []


def test_attach_to_open_incident(tmp_path: Path, am_url: str) -> None:
    run = run_id()
    post_alerts(am_url, [alert(run, "ToolCallRateHigh")])
    svc = service(tmp_path, am_url, run)
    sig = svc.poll().signals[0]
    inc, _ = svc.incidents.declare("Refunds wrong")
    ev = svc.attach(inc.id, sig)
    assert ev.kind == EventKind.SIGNAL and ev.data["action"] == "attached"
    assert svc.board().incidents_of(sig) == [inc.id]
    with pytest.raises(Exception, match="already on"):
        svc.attach(inc.id, sig)
    closed, _ = svc.incidents.declare("Old one")
    svc.incidents.set_status(closed.id, "resolved")
    with pytest.raises(Exception, match="open incident"):
        svc.attach(closed.id, sig)


# -- the CLI ---------------------------------------------------------------------------------


@pytest.fixture
def cli_env(tmp_path: Path, am_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    run = run_id()
    dead = free_port()
    config = tmp_path / "config.toml"
    config.write_text(
        f"""
[[signal_sources]]
name = "alerts"
kind = "alertmanager"
url = "{am_url}"
filter = ['run="{run}"']
"""
    )
    monkeypatch.setenv("IRCMD_CONFIG", str(config))
    monkeypatch.setenv("IRCMD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("IRCMD_USER", "lee.oncall")
    return {"run": run, "config": str(config), "dead": str(dead)}


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_signals_declare_ack_expire(
    cli_env: dict[str, str], am_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run = cli_env["run"]
    post_alerts(am_url, [alert(run, "RefundAmountAnomaly", severity="critical")])
    post_alerts(
        am_url,
        [
            {
                "labels": {"alertname": "Hostile", "run": run, "severity": "info"},
                "annotations": {"summary": "\x1b]52;c;SGVsbG8=\x07 \x9b31m [@click=app.quit]x[/]"},
            }
        ],
    )
    code, out, err = run_cli(capsys, "signals")
    assert code == 0, err
    assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out
    assert "[@click=app.quit]x[/]" in out, "shown literally"
    resolve_alert(am_url, {"alertname": "Hostile", "run": run, "severity": "info"})
    assert poll_until(lambda: len(get_alerts(am_url, f'run="{run}"')) == 1)
    code, out, err = run_cli(capsys, "signals", "--json")
    assert code == 0, err
    everything = json.loads(out)
    # the earlier run's board is in the store: the alert that stopped firing shows resolved
    assert [r["name"] for r in everything if r["state"] == "resolved"] == ["Hostile"]
    rows = [r for r in everything if r["state"] != "resolved"]
    assert len(rows) == 1
    row = rows[0]
    assert row["source"] == "alerts" and row["state"] == "firing"
    assert row["labels"]["alertname"] == "RefundAmountAnomaly"
    fp = row["fingerprint"]

    code, out, err = run_cli(capsys, "incident", "declare", "--from-signal", fp, "--json")
    assert code == 0, err
    inc = json.loads(out)
    assert inc["severity"] == "critical"
    assert inc["timeline"][0]["kind"] == "signal"
    assert inc["timeline"][0]["data"]["fingerprint"] == fp

    code, out, err = run_cli(capsys, "signals", "ack", fp, "--incident", inc["id"], "--json")
    assert code == 0, err
    silence = json.loads(out)
    upstream = get_silence(am_url, silence["silence_id"])
    assert upstream["createdBy"] == "lee.oncall" and inc["id"] in upstream["comment"]

    code, out, err = run_cli(capsys, "signals", "silences", inc["id"])
    assert code == 0 and silence["silence_id"] in out
    code, out, err = run_cli(capsys, "incident", "status", inc["id"], "resolved")
    assert code == 0 and f"ircmd signals expire {inc['id']}" in err and err.count("\n") == 1
    code, out, err = run_cli(capsys, "signals", "expire", inc["id"])
    assert code == 0, err
    assert get_silence(am_url, silence["silence_id"])["status"]["state"] == "expired"


def test_cli_errors_are_one_line(
    cli_env: dict[str, str], am_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(capsys, "incident", "declare")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "--title is required" in err
    code, out, err = run_cli(capsys, "incident", "declare", "--from-signal", "ffffffffffff")
    assert code == 1 and err.count("\n") == 1 and "no signal" in err
    code, out, err = run_cli(capsys, "signals", "ack", "abc", "--incident", "1", "--duration", "x")
    assert code == 2 and err.count("\n") == 1 and "--duration" in err


def test_cli_dead_source_does_not_hide_the_live_one(
    cli_env: dict[str, str], am_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run = cli_env["run"]
    post_alerts(am_url, [alert(run, "StillVisible")])
    with open(cli_env["config"], "a") as f:
        f.write(
            f"""
[[signal_sources]]
name = "dead"
kind = "alertmanager"
url = "http://127.0.0.1:{cli_env["dead"]}"
timeout = 1
"""
        )
    code, out, err = run_cli(capsys, "signals", "--json")
    assert code == 1
    assert [r["labels"]["alertname"] for r in json.loads(out)] == ["StillVisible"]
    assert err.count("\n") == 1 and "'dead'" in err and "cannot connect" in err


def test_cli_subprocess_lists_signals(cli_env: dict[str, str], am_url: str) -> None:
    post_alerts(am_url, [alert(cli_env["run"], "RefundAmountAnomaly")])
    proc = subprocess.run(
        [sys.executable, "-c", "from ircmd.cli import main; raise SystemExit(main())", "signals"],
        capture_output=True,
        text=True,
        timeout=60,
        env=os.environ.copy(),
    )
    assert proc.returncode == 0, proc.stderr
    assert "RefundAmountAnomaly" in proc.stdout and "firing" in proc.stdout
    assert "*" in proc.stdout.splitlines()[1][:2], "unseen signals are marked"
