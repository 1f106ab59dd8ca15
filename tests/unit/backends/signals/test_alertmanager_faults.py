"""Fault injection on top of the real-server tests: Alertmanager down, slow, refusing,
answering garbage. MockTransport stands in for the broken server; the service must report
one line per source and never let one source hide another."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from ircmd.backends.protocols import SignalSource, SignalSourceError, SilenceNotFound
from ircmd.backends.registry import load_factory
from ircmd.backends.signals.alertmanager import AlertmanagerSource, signal_from_alert
from ircmd.domain.config import AlertmanagerSourceConfig, Config
from ircmd.domain.signals.signals import Signal, SignalState, SilenceRequest, silence_request
from ircmd.service.incidents.service import IncidentService
from ircmd.service.signals.service import SignalService
from ircmd.store.tinydb.store import TinyDBIncidentStore

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)

ALERT = {
    "fingerprint": "95154ed81bbbf3dd",
    "labels": {"alertname": "RefundAmountAnomaly", "workflow": "support-refunds"},
    "annotations": {"summary": "refunds/h 4.1x baseline"},
    "startsAt": "2026-11-28T08:50:00.000Z",
    "endsAt": "2026-11-28T09:05:00.000Z",
    "updatedAt": "2026-11-28T08:50:00.000Z",
    "generatorURL": "http://prom/graph",
    "status": {"state": "active", "silencedBy": [], "inhibitedBy": []},
    "receivers": [{"name": "null"}],
}


def cfg(name: str = "am", **kw: Any) -> AlertmanagerSourceConfig:
    return AlertmanagerSourceConfig.model_validate(
        {"name": name, "kind": "alertmanager", "url": "http://am.test:9093", **kw}
    )


def source(handler: Any, name: str = "am", **kw: Any) -> AlertmanagerSource:
    return AlertmanagerSource(cfg(name, **kw), transport=httpx.MockTransport(handler))


def fetch(src: AlertmanagerSource) -> list[Signal]:
    return asyncio.run(src.fetch_signals())


# -- parsing ----------------------------------------------------------------------------------


def test_parse_alert() -> None:
    s = signal_from_alert("am", ALERT)
    assert s.fingerprint == "95154ed81bbbf3dd"
    assert s.state == SignalState.FIRING
    assert s.starts_at == datetime(2026, 11, 28, 8, 50, tzinfo=UTC)
    assert s.generator_url == "http://prom/graph"
    silenced = {**ALERT, "status": {"state": "suppressed", "silencedBy": ["x"], "inhibitedBy": []}}
    s2 = signal_from_alert("am", silenced)
    assert s2.state == SignalState.SUPPRESSED and s2.silenced_by == ["x"]
    unset = {**ALERT, "endsAt": "0001-01-01T00:00:00Z"}
    assert signal_from_alert("am", unset).ends_at is None
    with pytest.raises(ValueError):
        signal_from_alert("am", {"labels": {}})


def test_registry_builds_alertmanager() -> None:
    built = load_factory("alertmanager")(cfg())
    assert isinstance(built, SignalSource)
    assert built.name == "am"


# -- requests ---------------------------------------------------------------------------------


def test_filter_and_token_are_sent() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[ALERT])

    src = AlertmanagerSource(
        cfg(filter=['workflow="support-refunds"', "severity=~page|critical"], token_env="AM_TOK"),
        transport=httpx.MockTransport(handler),
        environ={"AM_TOK": "s3cret"},
    )
    assert len(fetch(src)) == 1
    req = seen[0]
    assert req.url.path == "/api/v2/alerts"
    assert req.url.params.get_list("filter") == [
        'workflow="support-refunds"',
        "severity=~page|critical",
    ]
    assert req.headers["Authorization"] == "Bearer s3cret"


def test_missing_token_env_is_one_clear_line() -> None:
    src = AlertmanagerSource(
        cfg(token_env="AM_TOK"),
        transport=httpx.MockTransport(lambda r: httpx.Response(200, json=[])),
        environ={},
    )
    with pytest.raises(SignalSourceError, match="AM_TOK"):
        fetch(src)


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (httpx.Response(500, text="internal error\nstack..."), "HTTP 500: internal error"),
        (httpx.Response(401, text="no"), "refused with HTTP 401"),
        (httpx.Response(200, text="<html>gateway</html>"), "not JSON"),
        (httpx.Response(200, json={"alerts": []}), "expected a JSON list"),
        (httpx.Response(200, json=[1, "two", None]), "none of the 3 items is an alert"),
        (httpx.Response(200, content=b"\xff\xfe\x00garbage"), "not JSON"),
    ],
)
def test_garbage_and_errors_become_one_line(response: httpx.Response, expected: str) -> None:
    src = source(lambda r: response)
    with pytest.raises(SignalSourceError) as err:
        fetch(src)
    message = str(err.value)
    assert expected in message
    assert "'am'" in message and "\n" not in message


def test_partly_garbage_keeps_the_good_alerts() -> None:
    src = source(lambda r: httpx.Response(200, json=[ALERT, {"nope": 1}, 7]))
    got = fetch(src)
    assert [s.fingerprint for s in got] == [ALERT["fingerprint"]]
    assert src.last_unreadable == 2


def test_hostile_text_survives_as_data() -> None:
    hostile = {
        **ALERT,
        "labels": {"alertname": "[@click=app.quit]x[/]", "x": "[link=file:///etc/passwd]"},
        "annotations": {"summary": "\x1b]52;c;SGVsbG8=\x07 \x9b31m [/]", "n": 5},
    }
    s = fetch(source(lambda r: httpx.Response(200, json=[hostile])))[0]
    assert s.labels["alertname"] == "[@click=app.quit]x[/]"
    assert s.annotations["n"] == "5"


def test_connection_refused_and_timeout() -> None:
    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Connection refused", request=request)

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    with pytest.raises(SignalSourceError, match="cannot connect"):
        fetch(source(refused))
    with pytest.raises(SignalSourceError, match=r"no answer within 5s"):
        fetch(source(slow))


def test_oversized_answer_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("ircmd.backends.signals.alertmanager.MAX_RESPONSE_BYTES", 1000)
    src = source(lambda r: httpx.Response(200, content=b"[" + b" " * 5000 + b"]"))
    with pytest.raises(SignalSourceError, match="larger than"):
        fetch(src)


def test_silence_create_and_expire_responses() -> None:
    calls: list[tuple[str, str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        calls.append((request.method, request.url.path, body))
        if request.method == "POST":
            return httpx.Response(200, json={"silenceID": "abc-123"})
        if request.url.path.endswith("/gone"):
            return httpx.Response(500, text='"silence not found"')
        if request.url.path.endswith("/bad"):
            return httpx.Response(500, text="disk full")
        return httpx.Response(200)

    src = source(handler)
    sig = signal_from_alert("am", ALERT)
    req = silence_request(sig, "INC-0002", "maria", NOW, timedelta(hours=1))
    assert asyncio.run(src.create_silence(req)) == "abc-123"
    method, path, body = calls[0]
    assert (method, path) == ("POST", "/api/v2/silences")
    assert body["createdBy"] == "maria" and "INC-0002" in body["comment"]
    asyncio.run(src.expire_silence("ok"))
    assert calls[-1][:2] == ("DELETE", "/api/v2/silence/ok")
    with pytest.raises(SilenceNotFound):
        asyncio.run(src.expire_silence("gone"))
    with pytest.raises(SignalSourceError, match="disk full"):
        asyncio.run(src.expire_silence("bad"))


def test_silence_answer_without_id() -> None:
    src = source(lambda r: httpx.Response(200, json={"ok": True}))
    req = SilenceRequest.model_validate(
        {
            "matchers": [{"name": "a", "value": "b"}],
            "startsAt": NOW,
            "endsAt": NOW + timedelta(hours=1),
            "createdBy": "m",
            "comment": "c",
        }
    )
    with pytest.raises(SignalSourceError, match="no silenceID"):
        asyncio.run(src.create_silence(req))


# -- the service: one dead source never hides the others ---------------------------------------


class HangingSource:
    """A third-party source that ignores its own timeout (the service must bound it)."""

    kind = "test"

    def __init__(self, name: str) -> None:
        self.name = name
        self.interval = 10.0
        self.timeout = 0.2

    async def fetch_signals(self) -> list[Signal]:
        await asyncio.sleep(30)  # the behaviour under test: a source that hangs
        return []

    async def create_silence(self, request: SilenceRequest) -> str:
        await asyncio.sleep(30)  # the behaviour under test: a source that hangs
        return ""

    async def expire_silence(self, silence_id: str) -> None:
        await asyncio.sleep(30)  # the behaviour under test: a source that hangs


def make_service(tmp_path: Path, sources: list[Any]) -> SignalService:
    store = TinyDBIncidentStore(tmp_path)
    incidents = IncidentService(store=store, config=Config(), actor="maria", clock=lambda: NOW)
    return SignalService(store, incidents, Config(), sources=sources)


def test_dead_slow_and_garbage_sources_do_not_hide_the_good_one(tmp_path: Path) -> None:
    good = source(lambda r: httpx.Response(200, json=[ALERT]), name="good")
    garbage = source(lambda r: httpx.Response(200, text="<<<>>>"), name="garbage")
    hanging = HangingSource("hanging")
    svc = make_service(tmp_path, [good, garbage, hanging])
    started = time.monotonic()
    board = svc.poll()
    elapsed = time.monotonic() - started
    assert elapsed < 15, "the hanging source (30 s) must be cut off at its timeout"
    assert [s.source for s in board.signals] == ["good"]
    health = {h.name: h for h in board.health}
    assert health["good"].ok is True and health["good"].count == 1
    assert health["garbage"].ok is False and "not JSON" in health["garbage"].error
    assert health["hanging"].ok is False and "no answer within" in health["hanging"].error


def test_a_source_going_down_keeps_its_last_signals_unresolved(tmp_path: Path) -> None:
    up = {"ok": True}

    def handler(request: httpx.Request) -> httpx.Response:
        if up["ok"]:
            return httpx.Response(200, json=[ALERT])
        raise httpx.ConnectError("refused", request=request)

    svc = make_service(tmp_path, [source(handler)])
    first = svc.poll()
    assert first.signals[0].state == SignalState.FIRING and first.diff.new
    up["ok"] = False
    second = svc.poll()
    assert second.signals[0].state == SignalState.FIRING, "down is not resolved"
    assert not second.diff
    assert second.health[0].ok is False and "cannot connect" in second.health[0].error


def test_board_survives_a_restart_and_seen_is_shared(tmp_path: Path) -> None:
    svc = make_service(tmp_path, [source(lambda r: httpx.Response(200, json=[ALERT]))])
    board = svc.poll()
    sig = board.signals[0]
    assert board.mark(sig).value == "new"
    svc.mark_seen([sig])
    svc.store.close()
    # another console / a restart on the same store: resolved because it is gone now
    svc2 = make_service(tmp_path, [source(lambda r: httpx.Response(200, json=[]))])
    assert svc2.board().mark(sig).value == "seen"
    board2 = svc2.poll()
    assert [s.state for s in board2.signals] == [SignalState.RESOLVED]
    assert [s.fingerprint for s in board2.diff.resolved] == [sig.fingerprint]
    assert board2.mark(board2.signals[0]).value == "changed"


def test_health_lines_for_the_war_room(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from ircmd.service.signals.service import health_lines

    good = source(lambda r: httpx.Response(200, json=[ALERT]), name="good")
    bad = source(lambda r: httpx.Response(503, text="maintenance"), name="bad")
    svc = make_service(tmp_path, [good, bad])
    ws: Any = SimpleNamespace(signals=svc)
    assert [(h.name, h.state) for h in health_lines(ws)] == [
        ("good", "unknown"),
        ("bad", "unknown"),
    ]
    svc.poll()
    lines = {h.name: h for h in health_lines(ws)}
    assert lines["good"].state == "ok" and lines["good"].detail == "1 alert"
    assert lines["bad"].state == "down" and "HTTP 503: maintenance" in lines["bad"].detail
